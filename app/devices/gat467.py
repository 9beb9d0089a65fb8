"""The frames of an ID card reader's security module (SAM, GA/T 467) on a serial line, and the
card's base message they carry — pure functions, so the serial driver and its tests share them.

A request is ``AA AA AA 96 69``, two length bytes (big-endian, counting CMD through CHK), CMD,
Para, the data and CHK, the XOR of every byte after the preamble. A response has the same
preamble and length, then the status SW1 SW2 SW3, the data and CHK. Bytes arrive in fragments
and a line may garble them: :class:`FrameReader` takes whatever comes, finds each frame by its
preamble, checks it, and skips what is not a frame.

The base message (读基本信息) is 256 bytes of text and 1024 of photo (WLT, only a vendor's
decoder opens it). The text is UCS-2LE in fixed-width fields: name 30 bytes, sex 2, nation 4
(GB/T 3304 code), birth 16, address 70, number 36, authority 30, valid from 16, valid until 16
(a date or 长期), reserved 36.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import reduce

from app.devices.protocols import DeviceError
from app.identity.card import IdCardData

PREAMBLE = bytes.fromhex("AAAAAA9669")
# The longest response, the base message with its photo and fingerprints (30 10), is 2,316 bytes
# from SW1 to CHK; a length beyond this is a garbled frame, not a long one.
MAX_LENGTH = 2400
MAX_BUFFER = 4 * (len(PREAMBLE) + 2 + MAX_LENGTH)

# Commands (CMD, Para).
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)

# Status words (SW3; SW1 SW2 are 00 00) and what they mean to the clerk.
OK = 0x90
CARD_FOUND = 0x9F
STATUS_WORDS = {
    0x90: "操作成功",
    0x9F: "找到身份证",
    0x80: "没有找到身份证：请把证件平放在阅读器上",
    0x81: "选卡失败：请把证件放稳后再读",
    0x41: "读卡失败：请把证件放稳后再读",
    0x10: "阅读器收到的数据校验出错",
    0x11: "阅读器收到的数据长度不对",
    0x21: "阅读器不认识这个命令",
    0x23: "阅读器越权操作",
    0x24: "阅读器无法识别的错误",
    0x31: "证件认证失败：不是有效的居民身份证",
    0x32: "证件认证失败：不是有效的居民身份证",
    0x33: "阅读器安全模块认证失败",
    0x40: "证件操作失败",
    0x47: "阅读器安全模块故障",
    0x60: "阅读器安全模块自检失败",
    0x66: "阅读器安全模块没有授权",
}

# GB/T 3304: the code of each of China's 56 nationalities, and two more.
NATIONS = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡",
    "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",
    "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip
NATION_OF = {f"{n:02d}": name for n, name in enumerate(NATIONS, start=1)} | {
    "97": "其他",
    "98": "外国血统中国籍人士",
}
SEX_OF = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
# The 256 bytes of a card's text, UCS-2LE in fixed-width fields, by card kind; every layout keeps
# the kind's flag at bytes 248–249 ("J", "I", "Y"; blank on a resident ID card).
TEXT_FIELDS = (("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70),
               ("number", 36), ("authority", 30), ("valid_from", 16), ("valid_until", 16),
               ("pass_number", 18), ("issue_count", 4), ("reserved", 6), ("kind", 2),
               ("reserved2", 6))  # fmt: skip
FOREIGN_2017_FIELDS = (("english_name", 120), ("sex", 2), ("number", 30), ("nationality", 6),
                       ("name", 30), ("valid_from", 16), ("valid_until", 16), ("birth", 16),
                       ("version", 4), ("authority", 8), ("kind", 2),
                       ("reserved", 6))  # fmt: skip
FOREIGN_2023_FIELDS = (("name", 30), ("sex", 2), ("issue_count", 4), ("birth", 16),
                       ("english_name", 70), ("number", 36), ("reserved", 30),
                       ("valid_from", 16), ("valid_until", 16), ("english_name_more", 22),
                       ("nationality", 6), ("kind", 2), ("previous_number", 6))  # fmt: skip
LAYOUTS = {"": TEXT_FIELDS, "J": TEXT_FIELDS, "I": FOREIGN_2017_FIELDS, "Y": FOREIGN_2023_FIELDS}
KIND_AT = 248
TEXT_SIZE = sum(size for _, size in TEXT_FIELDS)  # 256
# Who issues the foreigners' cards (their text names no authority): 公安部 until 2023, then
# the National Immigration Administration.
FOREIGN_AUTHORITY = {"I": "中华人民共和国公安部", "Y": "中华人民共和国国家移民管理局"}
PHOTO_SIZE = 1024


def checksum(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def command(cmd: tuple[int, int], data: bytes = b"") -> bytes:
    """The request frame for ``cmd`` (CMD, Para) with ``data``."""
    body = bytes(cmd) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([checksum(length + body)])


def response(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    """A response frame as a reader sends it (for emulators and tests)."""
    body = bytes([sw1, sw2, sw3]) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([checksum(length + body)])


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @classmethod
    def of(cls, body: bytes) -> Response:
        return cls(body[0], body[1], body[2], body[3:])

    @property
    def ok(self) -> bool:
        return (self.sw1, self.sw2) == (0, 0) and self.sw3 in (OK, CARD_FOUND)

    @property
    def meaning(self) -> str:
        return STATUS_WORDS.get(
            self.sw3, f"阅读器返回未知状态 {self.sw1:02X} {self.sw2:02X} {self.sw3:02X}"
        )


@dataclass
class FrameReader:
    """Bytes in, whole checked frames out (their bodies: CMD Para data of a request, SW1-3 and
    data of a response). Garbage before a preamble is skipped; a frame whose checksum or length
    is wrong is counted in ``damaged`` and skipped too (the caller asks again); a buffer that
    grows without a frame is cut back. ``least`` is the shortest body: 3 for responses."""

    least: int = 3
    buffer: bytearray = field(default_factory=bytearray)
    damaged: int = 0
    skipped: int = 0  # bytes that were not part of any frame

    def responses(self, chunk: bytes) -> list[Response]:
        return [Response.of(body) for body in self.feed(chunk)]

    def feed(self, chunk: bytes) -> list[bytes]:
        self.buffer += chunk
        found: list[bytes] = []
        while True:
            start = self.buffer.find(PREAMBLE)
            if start < 0:
                keep = len(PREAMBLE) - 1  # a preamble may be split across chunks
                self._skip(max(0, len(self.buffer) - keep))
                return found
            self._skip(start)
            head = len(PREAMBLE) + 2
            if len(self.buffer) < head:
                return found
            length = int.from_bytes(self.buffer[len(PREAMBLE) : head], "big")
            if not self.least + 1 <= length <= MAX_LENGTH:  # too short or long: not a frame
                self.damaged += 1
                self._skip(1)
                continue
            if len(self.buffer) < head + length:
                if len(self.buffer) > MAX_BUFFER:
                    self._skip(1)
                    continue
                return found
            frame = bytes(self.buffer[len(PREAMBLE) : head + length])
            if checksum(frame[:-1]) != frame[-1]:
                self.damaged += 1
                self._skip(1)  # look for the next preamble inside what is left
                continue
            del self.buffer[: head + length]
            found.append(frame[2:-1])

    def _skip(self, count: int) -> None:
        if count:
            del self.buffer[:count]
            self.skipped += count


def _field_text(raw: bytes) -> str:
    return raw.decode("utf-16-le", errors="replace").replace("\x00", "").strip()


def _date(text: str, what: str) -> date:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise DeviceError(
            f"身份证的{what}读出来不是日期（{text!r}）：请把证件放稳后再读。",
            fallback="也可以手工输入证件号码，并核对原件。",
        ) from None


def card_kind(text: bytes) -> str:
    """The kind flag of a card's text: "" (resident ID card), "J", "I" or "Y"."""
    flag = _field_text(text[KIND_AT : KIND_AT + 2])
    return flag if flag in LAYOUTS else ""


def parse_base_text(text: bytes, photo: bytes = b"") -> IdCardData:
    """The 256 bytes of a base message's text as the card data, in the layout of its kind; a
    block that does not read as one is refused with what to do (read again, or type the number)."""
    if len(text) != TEXT_SIZE:
        raise DeviceError(
            f"阅读器返回的身份证信息长度不对（{len(text)} 字节，应为 {TEXT_SIZE}）："
            "请把证件放稳后再读。",
            fallback="也可以手工输入证件号码，并核对原件。",
        )
    kind = card_kind(text)
    values: dict[str, str] = {}
    at = 0
    for name, size in LAYOUTS[kind]:
        values[name] = _field_text(text[at : at + size])
        at += size
    english = values.get("english_name", "")
    if values.get("english_name_more"):  # a long name goes on at its 36th letter: keep a space
        # there (the first part, at bytes 52–121 of the 2023 layout, is full: no padding)
        first = text[52 : 52 + 70].decode("utf-16-le", errors="replace").replace("\x00", "")
        english = first + values["english_name_more"]
    name = values["name"] or english
    if not name or not values["number"]:
        raise DeviceError(
            "身份证信息没有读全（姓名或号码为空）：请把证件放稳后再读。",
            fallback="也可以手工输入证件号码，并核对原件。",
        )
    until = values["valid_until"]
    return IdCardData(
        name=name,
        sex=SEX_OF.get(values["sex"], values["sex"]),
        ethnicity=NATION_OF.get(values.get("nation", ""), values.get("nation", "")),
        birth_date=_date(values["birth"], "出生日期"),
        address=values.get("address", ""),
        id_number=values["number"].upper(),
        authority=FOREIGN_AUTHORITY.get(kind, values.get("authority", "")),
        valid_from=_date(values["valid_from"], "有效期起始日期"),
        valid_until=None if until.startswith("长期") else _date(until, "有效期截止日期"),
        photo=photo,
        kind=kind,
        english_name=english,
        nationality=values.get("nationality", "").upper(),
        pass_number=values.get("pass_number", "") if kind == "J" else "",
        issue_count=values.get("issue_count", "") if kind in ("J", "Y") else "",
    )


def parse_base_message(data: bytes) -> IdCardData:
    """The data of a 读基本信息 response: text length and photo length (two bytes each,
    big-endian), the text, the photo."""
    if len(data) < 4:
        raise DeviceError(
            "阅读器返回的身份证信息不完整：请把证件放稳后再读。",
            fallback="也可以手工输入证件号码，并核对原件。",
        )
    text_size, photo_size = int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
    if len(data) != 4 + text_size + photo_size:
        raise DeviceError(
            "阅读器返回的身份证信息长度与其声明的不符：请把证件放稳后再读。",
            fallback="也可以手工输入证件号码，并核对原件。",
        )
    return parse_base_text(data[4 : 4 + text_size], data[4 + text_size :])


def base_message(card: IdCardData, photo: bytes = bytes(PHOTO_SIZE)) -> bytes:
    """The data of a 读基本信息 response for ``card`` (the emulators' side)."""
    text = base_text(card)
    return len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo


def base_text(card: IdCardData) -> bytes:
    """The 256 bytes a card holds for ``card`` (the emulators' side of :func:`parse_base_text`)."""
    sex = {v: k for k, v in SEX_OF.items()}.get(card.sex, card.sex)
    nation = {v: k for k, v in NATION_OF.items()}.get(card.ethnicity, card.ethnicity)
    until = card.valid_until.strftime("%Y%m%d") if card.valid_until else "长期"
    chinese = "" if card.name == card.english_name else card.name
    english = card.english_name
    if card.kind == "Y":
        english, more = english[:35], english[35:]
    else:
        more = ""
    values = {
        "name": chinese if card.kind in ("I", "Y") else card.name,
        "sex": sex,
        "nation": nation,
        "birth": card.birth_date.strftime("%Y%m%d"),
        "address": card.address,
        "number": card.id_number,
        "authority": card.authority,
        "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_until": until,
        "pass_number": card.pass_number,
        "issue_count": card.issue_count,
        "kind": card.kind,
        "english_name": english,
        "english_name_more": more,
        "nationality": card.nationality,
        "version": "01" if card.kind == "I" else "",
    }
    if card.kind == "I":
        values["authority"] = ""
    out = b""
    for name, size in LAYOUTS[card.kind]:
        raw = values.get(name, "").encode("utf-16-le")[:size]
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return out
