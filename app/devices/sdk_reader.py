"""ID card readers reached through their vendor's Linux library (ctypes), in either of the two API
families vendors ship around the same security module (GA/T 467, :mod:`app.devices.gat467`):

* **sdtapi** (the reference API, e.g. libsdtapi.so): ``SDT_OpenPort``, ``SDT_StartFindIDCard``,
  ``SDT_SelectIDCard``, ``SDT_ReadBaseMsg`` (the card's 256 bytes of raw text and 1024 of WLT
  photo), ``SDT_ClosePort``; status words as in GA/T 467 (0x90 done, 0x9F card found, 0x80 none).
* **termb** (e.g. 华视 CVR-100 libtermb.so): ``InitComm``, ``Authenticate``, ``Read_Content``,
  ``CloseComm`` (newer libraries name them ``CVR_InitComm`` …; either is taken), 1 meaning done.
  ``Read_Content(1)`` writes the raw text to ``wz.txt`` and the photo to ``xp.wlt`` in the working
  directory (some versions: beside the library) and keeps the fields for getters such as
  ``GetPeopleName(char *buf, int *len)`` in GBK. The raw text is preferred (:mod:`gat467` reads
  every kind of card from it); without the files the getters are mapped. Stale files are removed
  before a read, so a previous person's wz.txt is never taken for this one's, and the files are
  removed after it: personal data is not left on disk.

Ports: 1001–1016 USB, 1–16 serial (:func:`sdk_port` reads the setting). The WLT photo is encrypted;
only the vendor's decoder (:class:`WltDecoder`, e.g. libwlt.so's ``unpack``) opens it. Without
one, or when it fails, the card still reads, without its photo, and ``photo_note`` says why.

The library is loaded when first needed; a load that failed is tried again on the next read (a
driver installed meanwhile works without a restart). The port is opened for each read and closed
after it, so a reader unplugged and plugged in again works on the next read. A read polls every
``poll_s`` until ``timeout_s``; a call into the library itself cannot be interrupted, so a library
that hangs inside one holds the (worker) thread until it returns. Vendor libraries keep global
state and fixed file names: one read at a time, process-wide.
"""

from __future__ import annotations

import ctypes
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from app.devices import gat467
from app.devices.protocols import DeviceError
from app.devices.wlt import (
    WltDecoder,
    load_library,
    photo_of,
)
from app.identity.card import IdCardData

log = logging.getLogger(__name__)

FALLBACK = "请手工输入证件号码，并核对原件。"
SDTAPI = (
    "SDT_OpenPort",
    "SDT_ClosePort",
    "SDT_StartFindIDCard",
    "SDT_SelectIDCard",
    "SDT_ReadBaseMsg",
)
TERMB_CALLS = {
    name: (name, f"CVR_{name}")
    for name in ("InitComm", "Authenticate", "Read_Content", "CloseComm")
}
TERMB_GETTERS = (
    "GetPeopleName",
    "GetPeopleSex",
    "GetPeopleNation",
    "GetPeopleBirthday",
    "GetPeopleAddress",
    "GetPeopleIDCode",
    "GetDepartment",
    "GetStartDate",
    "GetEndDate",
)
TERMB_MORE = ("GetCertType", "GetPeopleChineseName", "GetPassCheckID")  # newer libraries only
FAMILIES = ("sdtapi", "termb")
SDT_OK, SDT_FOUND = gat467.OK, gat467.CARD_FOUND
SDT_AGAIN = {0x80, 0x81, 0x41}  # no card, or not lying still: ask again
SDT_STATUS = gat467.STATUS_WORDS | {
    0x01: "打不开阅读器的端口",
    0x02: "阅读器的端口没有打开",
    0x05: "这个端口上没有阅读器",
}
TERMB_READ_OK = {1, 2, 3}  # 1 resident ID card; newer libraries: 2 a foreigner's, 3 a permit
CONTENT_FILES = ("wz.txt", "xp.wlt", "zp.bmp", "fp.dat", "newadd.txt")
_LOCK = threading.Lock()


def sdk_port(text: str) -> int:
    """The port number of the setting: "usb" or "usb1"…"usb16" (1001…1016), "com1"… or "1"…"16"
    (serial), or the number the vendor's manual gives (1001)."""
    value = text.strip().lower()
    match = re.fullmatch(r"(usb|com)?\s*([0-9]*)", value)
    if match and (match[1] or match[2]):
        number = int(match[2] or 1)
        if match[1] == "usb" and 1 <= number <= 16:
            return 1000 + number
        if match[1] != "usb" and (1 <= number <= 16 or 1001 <= number <= 1016):
            return number
    raise ValueError(
        f"身份证阅读器的端口 {text!r} 不对：USB 阅读器填 usb（或 1001–1016），串口阅读器填 1–16。"
    )


def _reader_library(path: str) -> ctypes.CDLL:
    if not path.strip():
        raise DeviceError(
            "还没有设置身份证阅读器的驱动库：请安装阅读器厂商的 Linux 驱动，"
            "并在设置 [devices] id_reader_library 中填写它的路径。",
            fallback=FALLBACK,
        )
    return load_library(
        path,
        f"找不到身份证阅读器的驱动库 {path}：请安装阅读器厂商的 Linux 驱动，"
        "并在设置 [devices] id_reader_library 中填写它的路径。",
    )


def _missing(lib: ctypes.CDLL, family: str) -> list[str]:
    if family == "sdtapi":
        return [name for name in SDTAPI if not hasattr(lib, name)]
    if family == "termb":
        calls = [
            names[0]
            for names in TERMB_CALLS.values()
            if not any(hasattr(lib, name) for name in names)
        ]
        return calls + [name for name in TERMB_GETTERS if not hasattr(lib, name)]
    raise ValueError(f"未知的阅读器接口类型 {family!r}：应为 sdtapi 或 termb")


def probe(library: str, family: str) -> list[str]:
    """The functions of ``family`` ("sdtapi" or "termb") that ``library`` lacks (empty: it is
    one); a library that cannot be loaded raises :class:`DeviceError`."""
    return _missing(_reader_library(library), family)


class _SdkReader:
    family = ""

    def __init__(
        self, library: str, port: int = 1001, *, photo_decoder: str = "", poll_s: float = 0.2
    ) -> None:
        self.library = library
        self.port = port
        self.photo_decoder = photo_decoder
        self.poll_s = poll_s
        self._lib: ctypes.CDLL | None = None
        self._decoder = WltDecoder(photo_decoder) if photo_decoder else None

    def read(self, timeout_s: float = 5.0) -> IdCardData | None:
        deadline = time.monotonic() + timeout_s
        lib = self._library()
        with _LOCK:
            content = self._read(lib, deadline)
        if content is None:
            return None
        if isinstance(content, tuple):
            card = gat467.parse_base_text(*content)
            wlt = content[1]
        else:
            card, wlt = card_from_fields(content), b""
        png, note = photo_of(self._decoder, wlt)
        return replace(card, photo=png, photo_note=note)

    def _library(self) -> ctypes.CDLL:
        if self._lib is None:
            lib = _reader_library(self.library)
            missing = _missing(lib, self.family)
            if missing:
                raise DeviceError(
                    f"{self.library} 不是 {self.family} 接口的驱动库（缺少 {'、'.join(missing)}）："
                    "请确认设置中的接口类型（sdtapi 或 termb）与厂商的库一致。",
                    fallback=FALLBACK,
                )
            self._declare(lib)
            self._lib = lib
        return self._lib

    def _open_failed(self, detail: str) -> DeviceError:
        kind = "USB 连线" if self.port > 1000 else "串口连线"
        return DeviceError(
            f"打不开身份证阅读器（端口 {self.port}，{detail}）：请检查阅读器的{kind}"
            "和电源，以及设置中的端口（USB 为 usb 或 1001–1016，串口为 1–16）。",
            fallback=FALLBACK,
        )

    def _declare(self, lib: ctypes.CDLL) -> None:
        raise NotImplementedError

    def _read(
        self, lib: ctypes.CDLL, deadline: float
    ) -> tuple[bytes, bytes] | dict[str, bytes] | None:
        raise NotImplementedError

    def _wait(self, deadline: float) -> bool:
        """Sleep until the next poll; False when the time is up."""
        if time.monotonic() + self.poll_s > deadline:
            return False
        time.sleep(self.poll_s)
        return True


class SdtapiIdReader(_SdkReader):
    name = "身份证阅读器（sdtapi 驱动库）"
    family = "sdtapi"

    def _declare(self, lib: ctypes.CDLL) -> None:
        buffer, size = ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint)
        for name, args in (
            ("SDT_OpenPort", [ctypes.c_int]),
            ("SDT_ClosePort", [ctypes.c_int]),
            ("SDT_StartFindIDCard", [ctypes.c_int, buffer, ctypes.c_int]),
            ("SDT_SelectIDCard", [ctypes.c_int, buffer, ctypes.c_int]),
            ("SDT_ReadBaseMsg", [ctypes.c_int, buffer, size, buffer, size, ctypes.c_int]),
        ):
            getattr(lib, name).argtypes, getattr(lib, name).restype = args, ctypes.c_int

    def _read(self, lib: Any, deadline: float) -> tuple[bytes, bytes] | None:
        status = int(lib.SDT_OpenPort(self.port))
        if status != SDT_OK:
            raise self._open_failed(SDT_STATUS.get(status, f"状态 {status:02X}"))
        try:
            manage = ctypes.create_string_buffer(64)
            while True:
                status = int(lib.SDT_StartFindIDCard(self.port, manage, 0))
                if status == SDT_FOUND:
                    lib.SDT_SelectIDCard(self.port, manage, 0)  # an unselected card reads 0x41
                    text, text_size = ctypes.create_string_buffer(4096), ctypes.c_uint(0)
                    photo, photo_size = ctypes.create_string_buffer(4096), ctypes.c_uint(0)
                    status = int(
                        lib.SDT_ReadBaseMsg(
                            self.port,
                            text,
                            ctypes.byref(text_size),
                            photo,
                            ctypes.byref(photo_size),
                            0,
                        )
                    )
                    if status == SDT_OK:
                        return (
                            text.raw[: min(text_size.value, len(text))],
                            photo.raw[: min(photo_size.value, len(photo))],
                        )
                if status not in (SDT_FOUND, *SDT_AGAIN):
                    meaning = SDT_STATUS.get(status, "未知错误")
                    raise DeviceError(
                        f"身份证阅读器出错：{meaning}（状态 {status:02X}）：请重新插好阅读器再读。",
                        fallback=FALLBACK,
                    )
                if not self._wait(deadline):
                    return None
        finally:
            lib.SDT_ClosePort(self.port)


class TermbIdReader(_SdkReader):
    name = "身份证阅读器（termb 驱动库）"
    family = "termb"

    def _declare(self, lib: ctypes.CDLL) -> None:
        self._calls = {}
        for call, names in TERMB_CALLS.items():
            function = getattr(lib, next(name for name in names if hasattr(lib, name)))
            function.argtypes = [ctypes.c_int] if call in ("InitComm", "Read_Content") else []
            function.restype = ctypes.c_int
            self._calls[call] = function
        for name in (*TERMB_GETTERS, *TERMB_MORE):
            if hasattr(lib, name):
                getter = getattr(lib, name)
                getter.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
                getter.restype = ctypes.c_int
        if hasattr(lib, "GetIssuesNum"):
            lib.GetIssuesNum.argtypes = [ctypes.POINTER(ctypes.c_int)]
            lib.GetIssuesNum.restype = ctypes.c_int

    def _read(self, lib: Any, deadline: float) -> tuple[bytes, bytes] | dict[str, bytes] | None:
        calls = self._calls
        status = int(calls["InitComm"](self.port))
        if status != 1:
            raise self._open_failed(f"驱动库返回 {status}")
        places = self._places()
        try:
            while True:
                if int(calls["Authenticate"]()) == 1:  # a card found and selected
                    _remove(places)
                    status = int(calls["Read_Content"](1))
                    if status in TERMB_READ_OK:
                        return self._content(lib, places)
                    log.info("termb Read_Content returned %s", status)
                if not self._wait(deadline):
                    return None
        finally:
            calls["CloseComm"]()
            _remove(places)

    def _places(self) -> list[Path]:
        """Where Read_Content writes its files: the working directory, or beside the library."""
        places = [Path.cwd()]
        if "/" in self.library:
            places.append(Path(self.library).resolve().parent)
        return places

    def _content(self, lib: Any, places: list[Path]) -> tuple[bytes, bytes] | dict[str, bytes]:
        for place in places:
            try:
                text = (place / "wz.txt").read_bytes()
            except OSError:
                continue
            try:
                wlt = (place / "xp.wlt").read_bytes()
            except OSError:
                wlt = b""
            return text, wlt
        fields: dict[str, bytes] = {}
        if hasattr(lib, "GetIssuesNum"):
            number = ctypes.c_int(0)
            if lib.GetIssuesNum(ctypes.byref(number)) == 1:
                fields["GetIssuesNum"] = str(number.value).encode()
        for name in (*TERMB_GETTERS, *TERMB_MORE):
            if hasattr(lib, name):
                buffer, size = ctypes.create_string_buffer(512), ctypes.c_int(511)
                if getattr(lib, name)(buffer, ctypes.byref(size)) == 1:
                    fields[name] = buffer.raw[: max(0, min(size.value, 511))].split(b"\0")[0]
        return fields


def _remove(places: list[Path]) -> None:
    for place in places:
        for name in CONTENT_FILES:
            for variant in (name, name.upper()):
                try:
                    (place / variant).unlink(missing_ok=True)
                except OSError as exc:  # a directory we may not write: nothing of ours there
                    log.debug("could not remove %s: %s", place / variant, exc)


def _date(text: str, what: str) -> date:
    digits = re.sub(r"[^0-9]", "", text)
    try:
        if len(digits) != 8:
            raise ValueError(text)
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise DeviceError(
            f"身份证的{what}读出来不是日期（{text!r}）：请把证件放稳后再读。", fallback=FALLBACK
        ) from None


def card_from_fields(fields: Mapping[str, bytes]) -> IdCardData:
    """The card from a termb library's getters (GBK text by getter name; GetIssuesNum's number
    as digits), for libraries that write no wz.txt. Foreigners' cards give the English name
    by GetPeopleName, the Chinese one by GetPeopleChineseName and the nationality by
    GetPeopleNation."""
    text = {
        name: value.decode("gb18030", errors="replace").replace("\x00", "").strip()
        for name, value in fields.items()
    }
    kind = text.get("GetCertType", "").upper()
    kind = kind if kind in ("J", "I", "Y") else ""
    foreign = kind in ("I", "Y")
    english = text.get("GetPeopleName", "") if foreign else ""
    name = text.get("GetPeopleChineseName", "") if foreign else text.get("GetPeopleName", "")
    number = text.get("GetPeopleIDCode", "")
    if not (name or english) or not number:
        raise DeviceError(
            "身份证信息没有读全（姓名或号码为空）：请把证件放稳后再读。", fallback=FALLBACK
        )
    nation = text.get("GetPeopleNation", "")
    sex = text.get("GetPeopleSex", "")
    until = text.get("GetEndDate", "")
    issues = text.get("GetIssuesNum", "")
    return IdCardData(
        name=name or english,
        sex=gat467.SEX_OF.get(sex, sex),
        ethnicity="" if foreign else gat467.NATION_OF.get(nation, nation),
        birth_date=_date(text.get("GetPeopleBirthday", ""), "出生日期"),
        address=text.get("GetPeopleAddress", ""),
        id_number=number.upper(),
        authority=gat467.FOREIGN_AUTHORITY.get(kind, text.get("GetDepartment", "")),
        valid_from=_date(text.get("GetStartDate", ""), "有效期起始日期"),
        valid_until=None if until.startswith("长期") else _date(until, "有效期截止日期"),
        kind=kind,
        english_name=english,
        nationality=nation.upper() if foreign else "",
        pass_number=text.get("GetPassCheckID", "") if kind == "J" else "",
        issue_count=issues.zfill(2) if issues.isdigit() and kind in ("J", "Y") else "",
    )


__all__ = ["FAMILIES", "SdtapiIdReader", "TermbIdReader", "card_from_fields", "probe", "sdk_port"]
