# OneStop — two commands on a fresh Debian/Ubuntu machine:
#   make demo   the counter app with a reference platform, simulated devices and fresh demo data
#   make test   lint, type checks and the whole test suite
# Each installs what is missing (system packages with apt-get, a .venv with the package and its
# test extras) and skips what is already there.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# libzbar0: pyzbar, measured beside zxing-cpp in the devices benchmark; fonts-noto-cjk: Chinese in
# Qt; fonts-wqy-microhei: Chinese embedded in PDFs (reportlab cannot embed Noto's CFF outlines);
# the rest: Qt's runtime on a headless machine;
# postgresql: the hall-mode database tests; poppler-utils: checking printed PDFs (pdffonts,
# pdftotext, pdftoppm); cups + printer-driver-cups-pdf: printing through a real CUPS queue;
# espeak-ng: the kiosk's voice guidance; libpulse0: Qt Multimedia and the virtual keyboard;
# the libxcb-* and libx* list: everything Qt's xcb plugin links (read from ldd of libqxcb.so —
# Qt's own error names only xcb-cursor0), for make demo on a desktop and the real-window tests;
# xvfb, xauth, xdotool: those tests' X server without a window manager, and their key presses;
# gcc, libc6-dev: the stand-in ID reader SDK the tests compile; sane-utils, libsane1: scanners
# (scanimage), tested against SANE's own test backend.
XCB_PACKAGES := libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 \
	libxcb-xfixes0 libxcb-xkb1 \
	libxkbcommon-x11-0 libx11-xcb1
SYSTEM_PACKAGES := libzbar0 fonts-noto-cjk fonts-wqy-microhei libgl1 libegl1 libxkbcommon0 \
	libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 postgresql poppler-utils cups \
	printer-driver-cups-pdf espeak-ng libpulse0 $(XCB_PACKAGES) xvfb xauth xdotool \
	gcc libc6-dev sane-utils libsane1

.PHONY: demo test test-slow lint typecheck bench screenshots system-deps venv clean

# On a desktop the counter opens in a window (sign in as demo / demo1234); on a machine without a
# screen it walks the same screens and saves them as PNGs instead.
demo: system-deps $(STAMP)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$QT_QPA_PLATFORM" != offscreen ]; then \
	  $(BIN)/onestop counter --demo; \
	else \
	  echo "没有图形显示：用演示数据走一遍综合窗口的各个界面，截图保存在 demo-screenshots/"; \
	  QT_QPA_PLATFORM=offscreen $(BIN)/onestop counter --screenshots demo-screenshots; \
	fi

# Every picture the README shows, taken again from the demo hall (offscreen, so the same on any
# machine); pictures the README no longer shows are removed.
screenshots: system-deps $(STAMP)
	rm -f docs/screenshots/*.png docs/screenshots/kiosk/*.png
	QT_QPA_PLATFORM=offscreen $(BIN)/onestop counter --screenshots docs/screenshots
	QT_QPA_PLATFORM=offscreen $(BIN)/onestop kiosk --screenshots docs/screenshots/kiosk
	$(BIN)/python -c 'import re, pathlib; shown = set(re.findall(r"\]\((docs/[^)]+\.png)\)", \
	  pathlib.Path("README.md").read_text(encoding="utf-8"))); \
	  [p.unlink() for p in pathlib.Path("docs/screenshots").rglob("*.png") if p.as_posix() not in shown]'

# The PostgreSQL tests start their own server from the installed binaries; under make test a
# missing server is a failure, not a skip.
test bench: export QT_QPA_PLATFORM ?= offscreen
test: system-deps $(STAMP) lint typecheck
	$(BIN)/onestop catalog check
	ONESTOP_REQUIRE_POSTGRES=1 ONESTOP_REQUIRE_CUPS=1 ONESTOP_REQUIRE_XVFB=1 $(BIN)/python -m pytest

# The tests that wait in real time for minutes (a minute-long outage, thirty crashes): not in the
# default run.
test-slow: system-deps $(STAMP)
	ONESTOP_REQUIRE_POSTGRES=1 ONESTOP_REQUIRE_CUPS=1 $(BIN)/python -m pytest -m slow

# ruff format owns the layout; "# fmt: skip" marks only the few tables clearer by hand.
lint: $(STAMP)
	$(BIN)/ruff check app kiosk counter printing sync resources tests
	$(BIN)/ruff format --check app kiosk counter printing sync resources tests

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/run.py guide
	$(BIN)/python tests/benchmarks/run.py cases
	$(BIN)/python tests/benchmarks/run.py sync
	$(BIN)/python tests/benchmarks/run.py printing
	$(BIN)/python tests/benchmarks/run.py counter
	$(BIN)/python tests/benchmarks/run.py kiosk
	$(BIN)/python tests/benchmarks/run.py backoffice
	$(BIN)/python tests/benchmarks/run.py signin

system-deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "安装缺少的系统软件包：$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "需要 root 权限安装：$$missing（请用 root 运行，或先执行 apt-get install$$missing）"; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
