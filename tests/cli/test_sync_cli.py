"""``onestop platform serve|terminal|stats``, ``onestop sync run|status``, ``onestop catalog
pull|publish`` and ``onestop demo seed`` as a hall's IT staff run them: real processes, a real
server on a free loopback port."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.catalog.loader import builtin_catalog_dir
from tests.helpers.waiting import eventually

HALL = "430100001"


def onestop(
    *args: str, settings: Path | None = None, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if settings:
        env["ONESTOP_SETTINGS"] = str(settings)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    if check:
        assert done.returncode == 0, done.stderr
    return done


def as_json(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    value: dict[str, object] = json.loads(done.stdout)
    return value


@dataclass
class Platform:
    url: str
    data: Path
    process: subprocess.Popen[str]


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    data = tmp_path / "platform"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli.main",
            "platform",
            "serve",
            "--port",
            "0",
            "--data",
            str(data),
            "--decide-after",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://[\d.]+:\d+", line)
        assert found, (
            f"no address in {line!r}; stderr: {process.stderr.read() if process.stderr else ''}"
        )
        yield Platform(found.group(0), data, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def terminal(platform: Platform, name: str, *, admin: bool = False) -> str:
    args = ["platform", "terminal", "add", name, "--data", str(platform.data), "--json"]
    added = as_json(onestop(*args, *(["--admin"] if admin else ["--hall", HALL])))
    assert added["hall"] == (None if admin else HALL)  # an admin terminal belongs to no hall
    return str(added["token"])


def settings_file(folder: Path, url: str, token: str, name: str = "counter-01") -> Path:
    """A terminal's settings file; each terminal has its own data folder (a SQLite database
    serves one terminal)."""
    path = folder / f"{name}.toml"
    path.write_text(
        f'data_dir = "{folder / f"data-{name}"}"\n[hall]\ncode = "{HALL}"\n[terminal]\nname = "{name}"\n'
        f'[platform]\nurl = "{url}"\ntoken = "{token}"\npoll_s = 0.2\n',
        encoding="utf-8",
    )
    return path


def test_seed_send_receive_and_check_what_arrived(platform: Platform, tmp_path: Path) -> None:
    settings = settings_file(tmp_path, platform.url, terminal(platform, "counter-01"))
    made = as_json(onestop("demo", "seed", "--cases", "12", "--json", settings=settings))
    cases, back_office = made["cases"], made["back_office"]
    assert isinstance(cases, dict) and sum(cases.values()) == 12
    assert isinstance(back_office, dict) and back_office["batches"] > 0
    before = as_json(onestop("sync", "status", "--json", settings=settings))
    assert before["online"] is False and before["messages"]["pending"] > 0  # type: ignore[index]

    first = as_json(onestop("sync", "run", "--once", "--json", settings=settings))
    assert first["delivered"] > 0 and first["error"] == ""  # type: ignore[operator]

    def decided() -> bool:  # departments decide after 0.2 s; their decisions come back as events
        done = as_json(onestop("sync", "run", "--once", "--json", settings=settings))
        return bool(done["events"] and done["messages"]["pending"] == 0)  # type: ignore[index]

    eventually(decided, 30, "the departments' decisions did not come back", every_s=0.3)
    status = as_json(onestop("sync", "status", "--json", settings=settings))
    assert status["online"] is True and status["oldest_unsent_age_s"] is None
    stats = as_json(onestop("platform", "stats", "--data", str(platform.data), "--json"))
    assert stats["cases"] == 12 and stats["duplicates_refused"] == 0
    assert stats["messages_applied"] == status["messages"]["delivered"]  # type: ignore[index]
    text = onestop("platform", "stats", "--data", str(platform.data)).stdout
    assert "办件：12" in text


def test_continuous_sync_stops_cleanly_on_sigterm(platform: Platform, tmp_path: Path) -> None:
    settings = settings_file(tmp_path, platform.url, terminal(platform, "counter-01"))
    onestop("demo", "seed", "--cases", "5", settings=settings)
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "sync", "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ONESTOP_SETTINGS": str(settings)},
    )
    try:

        def drained() -> bool:
            status = as_json(onestop("sync", "status", "--json", settings=settings))
            return not status["messages"]["pending"]  # type: ignore[index]

        eventually(
            drained,
            30,
            "the running sender did not drain the queue",
            every_s=0.3,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "同步已停止" in out and "Traceback" not in err


def test_catalog_publish_pull_and_refuse_a_broken_one(platform: Platform, tmp_path: Path) -> None:
    settings = settings_file(tmp_path, platform.url, terminal(platform, "counter-01"))
    admin = settings_file(tmp_path, platform.url, terminal(platform, "admin", admin=True), "admin")
    assert "还没有发布" in onestop("catalog", "pull", settings=settings).stdout

    newer = tmp_path / "catalog-newer"
    shutil.copytree(builtin_catalog_dir(), newer)
    meta = newer / "_catalog.yaml"
    meta.write_text(
        re.sub(r"(?m)^version: .*$", "version: 2026.12.1", meta.read_text("utf-8")),
        encoding="utf-8",
    )
    refused = onestop("catalog", "publish", "--catalog", str(newer), settings=settings, check=False)
    assert refused.returncode == 1 and "只有平台管理终端" in refused.stderr
    onestop("catalog", "publish", "--catalog", str(newer), settings=admin)
    pulled = as_json(onestop("catalog", "pull", "--json", settings=settings))
    assert pulled == {"version": "2026.12.1", "changed": True}
    assert (
        as_json(onestop("sync", "status", "--json", settings=settings))["catalog_version"]
        == "2026.12.1"
    )
    assert "已是平台最新版本" in onestop("catalog", "pull", settings=settings).stdout

    broken = tmp_path / "catalog-broken"
    shutil.copytree(newer, broken)
    meta = broken / "_catalog.yaml"
    meta.write_text(meta.read_text("utf-8").replace("2026.12.1", "2026.12.2"), encoding="utf-8")
    scenario = next(p for p in broken.glob("43*.yaml"))
    scenario.write_text(
        scenario.read_text("utf-8").replace("needs:", "needz:", 1) + "\n  bad: [", encoding="utf-8"
    )
    # Published as it is (the platform checks only its checksum); the terminal refuses it.
    from app.catalog.versions import catalog_files, files_digest

    files = catalog_files(broken)
    body = json.dumps({"version": "2026.12.2", "sha256": files_digest(files), "files": files})
    import httpx

    token = admin.read_text("utf-8").split('token = "')[1].split('"')[0]
    answer = httpx.post(
        f"{platform.url}/api/v1/catalogs",
        content=body,
        timeout=10,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    refused = onestop("catalog", "pull", settings=settings, check=False)
    assert refused.returncode == 1 and "有错误，已拒收" in refused.stderr
    assert (
        as_json(onestop("sync", "status", "--json", settings=settings))["catalog_version"]
        == "2026.12.1"
    )


def test_without_a_platform_or_with_a_wrong_credential(platform: Platform, tmp_path: Path) -> None:
    for refused, said in (
        (["--admin", "--hall", HALL], "不属于任何大厅"),
        ([], "请用 --hall"),
    ):
        done = onestop(
            "platform", "terminal", "add", "x", "--data", str(platform.data), *refused, check=False
        )
        assert done.returncode == 1 and said in done.stderr
    alone = settings_file(tmp_path, "", "", "alone")
    done = onestop("sync", "run", "--once", settings=alone, check=False)
    assert done.returncode == 1 and "没有配置省级平台" in done.stderr
    wrong = settings_file(tmp_path, platform.url, "counter-01.wrong", "wrong")
    onestop("demo", "seed", "--cases", "2", settings=wrong)
    done = onestop("sync", "run", "--once", settings=wrong, check=False)
    assert done.returncode == 1 and "凭证" in done.stdout
    status = as_json(onestop("sync", "status", "--json", settings=wrong))
    assert status["messages"]["retrying"] > 0 and "凭证" in str(status["last_error"])  # type: ignore[index]
    waiting = status["waiting"]
    assert isinstance(waiting, list) and len(waiting) == status["messages"]["retrying"]  # type: ignore[index]
    shown = onestop("sync", "status", settings=wrong).stdout
    assert "等待重试的消息" in shown and "申报：已失败 1 次，" in shown and "凭证" in shown
    busy_port = platform.url.rsplit(":", 1)[1]
    busy = onestop(
        "platform", "serve", "--port", busy_port, "--data", str(tmp_path / "p2"), check=False
    )
    assert busy.returncode == 1 and "端口可能已被占用" in busy.stderr
