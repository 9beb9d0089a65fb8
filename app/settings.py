"""The hall's settings: one typed model read from a TOML file, with defaults, passed in explicitly.

A terminal works with no file at all (SQLite in the user data folder, a demo hall); a hall writes
``settings.toml`` once per terminal — at least its hall code, terminal name and, in hall mode, the
PostgreSQL URL that all its terminals share.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_config_dir, user_data_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from app.errors import SettingsError
from app.security.keys import default_key_file
from app.validation_zh import reason_zh

SETTINGS_ENV = "ONESTOP_SETTINGS"
DATA_DIR_ENV = "ONESTOP_DATA_DIR"  # overrides data_dir of the file: operators' and scripts' way


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HallSettings(_Model):
    code: str = Field(default="430100001", pattern=r"^[0-9A-Z]{4,20}$")
    name: str = "长沙市政务服务中心"
    province: str = Field(default="430000", pattern=r"^\d{6}$")
    office: str = "一网通办综合窗口"
    phone: str = "0731-88665266"
    address: str = "长沙市岳麓区金星中路一段20号"
    # Opening hours of the window, shown first under 去哪里办 (the default: the 长沙市政务服务中心's
    # as its published guides give them).
    hours: str = (
        "法定工作日，夏季（7月1日—9月30日）：上午9:00—12:00，下午13:30—17:30；"
        "冬季（10月1日—次年6月30日）：上午9:00—12:00，下午13:00—17:00"
    )


TRAINING_PREFIX = "PX"  # 培训: receipt numbers of a terminal in training mode


class TerminalSettings(_Model):
    name: str = Field(default="counter-01", pattern=r"^[\w.-]{1,40}$")
    channel: str = Field(default="counter", pattern=r"^(counter|kiosk)$")
    # 培训模式 (国办发〔2025〕24号 (十六)): the terminal keeps its cases in a database of its own
    # (data_dir/training), apart from the hall's, never sends them to the platform, numbers its
    # receipts apart (PX + the hall's code) and marks everything it prints 培训.
    training: bool = False


class DatabaseSettings(_Model):
    # Empty: SQLite in the data folder. Hall mode: postgresql+psycopg://user:pass@host/db
    url: str = ""
    busy_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # A copy of the database before each schema upgrade (SQLite's online backup; pg_dump for
    # PostgreSQL), the last keep_backups kept, in backup_dir (empty: data_dir/backups).
    backup_before_upgrade: bool = True
    keep_backups: int = Field(default=5, ge=1, le=100)
    backup_dir: Path | None = None


class OutboxSettings(_Model):
    lease_s: int = Field(default=120, ge=5, le=3600)
    first_retry_s: int = Field(default=5, ge=1)
    max_retry_s: int = Field(default=1800, ge=1)


class PlatformSettings(_Model):
    """The provincial platform: its address and this terminal's credential (from the platform's
    administrators; ``onestop platform terminal add`` for the reference platform)."""

    url: str = ""  # empty: no platform, the terminal works alone and queues everything
    token: str = ""
    timeout_s: float = Field(default=10.0, gt=0, le=300)
    batch: int = Field(default=100, ge=1, le=500)
    poll_s: float = Field(default=2.0, gt=0, le=3600)
    catalog_check_s: float = Field(default=3600.0, gt=0)


class TicketPrinterSettings(_Model):
    """A thermal printer: how it is connected, its paper, and how it prints Chinese ("raster":
    text drawn here as images, every printer prints it; "gb18030": the printer's own font)."""

    kind: Literal["none", "usb", "serial", "network", "file"] = "none"
    address: str = ""  # usb "04b8:0e15", serial "/dev/ttyUSB0", network "10.0.0.9:9100", a file
    paper_mm: Literal[58, 80] = 80
    chinese: Literal["raster", "gb18030"] = "raster"
    native_qr: bool = True
    baudrate: int = 9600
    timeout_s: float = Field(default=5.0, gt=0, le=60)


DEFAULT_NUMBER_PATTERN = "长政务{kind}〔{year}〕第{seq:05d}号"
NUMBER_FIELDS = {"kind": "受字", "year": 2026, "seq": 17}  # what a pattern may use, with examples


def number_pattern_problem(pattern: str) -> str:
    """What is wrong with a 文号 pattern ("" when nothing is): it is filled with the document's
    word (受字、不受字、补字 …), the year and the case's number in that year."""
    try:
        fields = [
            (name, spec, conversion)
            for _text, name, spec, conversion in string.Formatter().parse(pattern)
            if name is not None
        ]
    except ValueError:
        return "花括号不成对（文字里的花括号要写成两个）"
    names = [name for name, _spec, _conversion in fields]
    unknown = [name for name in names if name not in NUMBER_FIELDS]
    if unknown:
        return f"不认识 {{{unknown[0]}}}，只能用 {{kind}}、{{year}}、{{seq}}"
    if any(
        conversion or not re.fullmatch(r"0?\d{0,2}d?", spec or "")
        for _n, spec, conversion in fields
    ):
        return "花括号里的格式写法不对（序号补零写成 {seq:05d}）"
    if "seq" not in names:
        return "缺少序号 {seq}，文号会重复"
    try:
        example = pattern.format(**NUMBER_FIELDS)
    except (ValueError, TypeError, IndexError, KeyError):
        return "花括号里的格式写法不对（序号补零写成 {seq:05d}）"
    return "太长（最多 40 个字）" if len(example) > 40 else ""


class PrintingSettings(_Model):
    """The hall's documents: the organ that issues them (its name on each document, under the
    seal; empty: the hall's name), the pattern of their 文号, the seal image printed in the seal
    area. ``qr_key`` only verifies receipts printed before the hall had its key file (their QR
    code begins ``OS1:``); new receipts are signed with the hall's keys (``[security]``)."""

    organ: str = Field(default="", max_length=40)  # e.g. 长沙市行政审批服务局
    number_pattern: str = DEFAULT_NUMBER_PATTERN
    seal_image: Path | None = None
    qr_key: str = ""
    a4_printer: str = ""  # a CUPS queue; empty: the system's default printer
    ticket: TicketPrinterSettings = TicketPrinterSettings()
    # Where a citizen views an e-licence the results were issued as (the province's app or
    # site), with {type} and {number}; empty: the QR on the delivery receipt holds the type,
    # the number and the issuer as text.
    licence_url: str = Field(default="", max_length=300)

    @field_validator("number_pattern")
    @classmethod
    def _number_pattern(cls, value: str) -> str:
        problem = number_pattern_problem(value)
        if problem:
            raise PydanticCustomError(
                "number_pattern",
                "文号格式“{pattern}”{problem}；请写成如 {example} 的样子",
                {"pattern": value, "problem": problem, "example": DEFAULT_NUMBER_PATTERN},
            )
        return value

    @property
    def legacy_key(self) -> bytes:
        """The secret of receipts printed before the hall's key file; empty when none was set."""
        return self.qr_key.encode("utf-8")


class DeviceSettings(_Model):
    """Which drivers the terminal uses; "simulated" gives the test persons and sample pages
    (demo, training). A keyboard-wedge QR scanner needs no setting."""

    # "serial": a GA/T 467 reader on a serial line; "sdtapi" / "termb": through the vendor's
    # Linux library (its API family), at ``id_reader_library``
    id_reader: Literal["none", "simulated", "serial", "sdtapi", "termb"] = "none"
    # "camera": a 高拍仪 or any UVC camera (Qt Multimedia); "scanner": a SANE scanner
    capture: Literal["none", "simulated", "camera", "scanner"] = "none"
    # "serial": the serial line's device (USB-serial /dev/ttyUSB0, RS-232 /dev/ttyS0); SDK
    # readers: the library's port: "usb" (= 1001) … "usb16", or 1–16 for its serial ports
    id_reader_port: str = ""
    id_reader_baudrate: int = Field(default=115200, ge=1200, le=921600)
    id_reader_library: Path | None = None  # the vendor's libsdtapi.so / libtermb.so
    photo_decoder_library: Path | None = None  # the vendor's WLT decoder (libwlt.so); or no photo
    # part of the camera's name or its id; "": the document camera found; "file:PATH": a video
    camera: str = Field(default="", max_length=300)
    camera_qr: bool = True  # read QR codes from the camera's picture
    scanner: str = Field(default="", max_length=200)  # a SANE device (scanimage -L); "": the first
    scanner_resolution: int = Field(default=200, ge=75, le=1200)  # dpi
    scanner_mode: Literal["Gray", "Color", "Lineart"] = "Gray"
    scanner_source: str = Field(default="", max_length=60)  # "ADF", "Flatbed" …; "": the device's
    code_scanner_port: str = Field(default="", max_length=200)  # a QR scanner in serial mode
    code_scanner_baudrate: int = Field(default=9600, ge=1200, le=921600)

    @property
    def reader_port(self) -> str:
        """The port as the chosen reader names it (the usual one when the setting is empty)."""
        if self.id_reader_port:
            return self.id_reader_port
        return "usb" if self.id_reader in ("sdtapi", "termb") else "/dev/ttyUSB0"

    @model_validator(mode="after")
    def _sdk_library(self) -> DeviceSettings:
        if self.id_reader in ("sdtapi", "termb"):
            from app.devices.sdk_reader import sdk_port

            try:
                sdk_port(self.reader_port)
            except ValueError as exc:
                raise PydanticCustomError("id_reader_port", str(exc)) from None
        if self.id_reader in ("sdtapi", "termb") and self.id_reader_library is None:
            raise PydanticCustomError(
                "id_reader_library",
                "身份证阅读器设为“{family}”时需要厂商驱动库：请在 [devices] id_reader_library "
                "中填写它的路径（如 /opt/reader/lib{family}.so）",
                {"family": self.id_reader},
            )
        return self


class CounterSettings(_Model):
    lock_after_min: float = Field(default=10.0, gt=0, le=240)  # idle minutes before the lock
    preview: bool = True  # show each document before it goes to the printer
    # 收到原件/复印件 only once every 形式审核 point of the material is ticked (the hall decides)
    require_review_points: bool = False


class KioskSettings(_Model):
    """The self-service terminal: how long a citizen may stay still before the session is wiped
    (a countdown of ``countdown_s`` asks first), the staff PIN (scrypt, never the PIN itself),
    the voice of the elderly mode, and where its pre-applications live."""

    idle_s: float = Field(default=60.0, ge=15, le=900)  # browsing screens
    long_idle_s: float = Field(default=180.0, ge=30, le=1800)  # the form and the camera
    countdown_s: float = Field(default=30.0, ge=20, le=120)  # WCAG 2.2.1: at least 20 s
    elderly_factor: float = Field(default=2.0, ge=1, le=5)  # longer limits in 长辈模式
    staff_pin_hash: str = Field(
        default="", pattern=r"^(|scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+)$"
    )
    voice: Literal["espeak-ng", "qt", "none"] = "espeak-ng"
    screen_inches: float = Field(default=0, ge=0, le=120)  # diagonal, when the panel lies
    name: str = Field(default="自助终端", max_length=40)  # shown to staff with a help request
    # The page a phone opens from the list's QR code when there is no paper; "{code}" becomes the
    # scenario's code. Empty: the scenario's online guide (guide.online_url) where it has one.
    guide_url: str = Field(default="", max_length=200, pattern=r"^(|https?://\S+)$")


Route = Literal["platform", "desk", "courier", "pickup"]
ROUTE_LABELS: dict[str, str] = {
    "platform": "仅经平台（无纸质材料）",
    "desk": "后台工位当面交接",
    "courier": "每日快递",
    "pickup": "部门上门取件",
}


class TransferSettings(_Model):
    """How paper materials reach each department (GB/T 45836 §7.7): through the platform only, a
    desk in the hall's back office, the daily courier, or a pick-up by the department. Keys of
    ``routes`` are department names as the catalog writes them; the rest take ``default_route``.
    A batch not confirmed by the department within ``overdue_working_days`` is flagged."""

    default_route: Route = "courier"
    routes: dict[str, Route] = {}
    overdue_working_days: int = Field(default=3, ge=1, le=30)
    archive_dir: Path | None = None  # ``onestop transfers archive``; default: data_dir/archive

    def route(self, department: str) -> Route:
        return self.routes.get(department, self.default_route)


COMPLAINT_DEADLINE_RANGE = (5, 15)  # working days; local rules: 5 (Dezhou) to 15 (Sichuan)


class EvaluationSettings(_Model):
    """好差评: a 差评's work item must be closed (with the feedback to the citizen) within
    ``complaint_deadline_days`` working days of the rating; local rules range from 5 to 15."""

    complaint_deadline_days: int = 10

    @field_validator("complaint_deadline_days")
    @classmethod
    def _deadline(cls, value: int) -> int:
        low, high = COMPLAINT_DEADLINE_RANGE
        if not low <= value <= high:
            raise PydanticCustomError(
                "complaint_deadline",
                "差评处理时限应为 {low} 到 {high} 个工作日，现在是 {value}；"
                "请按本地规定改为这个范围内的天数",
                {"low": low, "high": high, "value": value},
            )
        return value


class CalendarSettings(_Model):
    """Dates the hall adds when the calendar package does not know a year yet."""

    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()


class SecuritySettings(_Model):
    """Where the hall's key file is (outside the data folder, owner-only; the same file on every
    terminal of a hall). Empty: ``hall-keys.toml`` in the user's configuration folder."""

    key_file: Path | None = None

    @field_validator("key_file")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None


class AuditSettings(_Model):
    """How often the sync worker sends the audit chain's head to the platform as an anchor (and
    always when it stops): after so many new entries, or after so long with any."""

    anchor_every_entries: int = Field(default=100, ge=1, le=1_000_000)
    anchor_every_s: float = Field(default=600.0, ge=1, le=86400)


class VerificationSettings(_Model):
    """告知承诺制: the working days after acceptance within which the department checks a
    commitment that replaced a proof (a catalog material's ``exemption.verify_days`` wins)."""

    due_days: int = Field(default=20, ge=1, le=365)


class SupplementSettings(_Model):
    """容缺受理 followed through: how long the counter proposes for the promised materials
    (``due_days`` working days from acceptance, the clerk may change it), and what happens
    when the date passes — ``lapse = "daily"``: the sync worker applies the catalog's outcome
    once a day to the promises missed (the items that need the material stop, the departments
    are told); ``"by_hand"``: only when a clerk chooses 按逾期处理 on the 容缺补交 tab."""

    due_days: int = Field(default=10, ge=1, le=60)
    lapse: Literal["daily", "by_hand"] = "daily"


KEEP_DAYS_MAX = 36_500  # a hundred years: beyond it, "for ever" is meant (0)


class RetentionSettings(_Model):
    """How long a terminal keeps a finished case's personal data and scans: ``keep_days`` hall
    calendar days after the case closed — once it also reached the platform and its papers
    came to rest — then ``onestop retention run`` (and the sync worker, daily) clears them; the
    case's non-personal figures stay for the reports. 0 keeps them for ever. The audit facts
    (who did what, when) are kept regardless: the default of 180 days also respects the
    网络安全法 第二十一条, which asks that network logs be kept for at least six months."""

    keep_days: int = 180

    @field_validator("keep_days")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if not 0 <= value <= KEEP_DAYS_MAX:
            raise PydanticCustomError(
                "keep_days",
                "保存天数应为 0（永久保存）到 {high} 之间的整数，现在是 {value}；"
                "请改为所需的天数，如 180",
                {"high": KEEP_DAYS_MAX, "value": value},
            )
        return value


class Settings(_Model):
    hall: HallSettings = HallSettings()
    terminal: TerminalSettings = TerminalSettings()
    database: DatabaseSettings = DatabaseSettings()
    outbox: OutboxSettings = OutboxSettings()
    platform: PlatformSettings = PlatformSettings()
    printing: PrintingSettings = PrintingSettings()
    calendar: CalendarSettings = CalendarSettings()
    transfers: TransferSettings = TransferSettings()
    evaluations: EvaluationSettings = EvaluationSettings()
    devices: DeviceSettings = DeviceSettings()
    counter: CounterSettings = CounterSettings()
    kiosk: KioskSettings = KioskSettings()
    security: SecuritySettings = SecuritySettings()
    audit: AuditSettings = AuditSettings()
    retention: RetentionSettings = RetentionSettings()
    supplements: SupplementSettings = SupplementSettings()
    verification: VerificationSettings = VerificationSettings()
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("onestop", appauthor=False)))

    @field_validator("data_dir", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        # Path("") is the current folder: the database would land wherever the program started.
        if isinstance(value, str) and not value.strip():
            raise PydanticCustomError(
                "data_dir_empty",
                "不能为空（空值会把数据库放到程序启动时所在的文件夹），请写数据目录的完整路径，"
                "或删除这一行使用默认目录",
            )
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def database_url(self) -> str:
        if self.terminal.training:  # never the hall's: a practice database of this terminal
            return f"sqlite:///{self.training_dir / 'onestop.sqlite3'}"
        return self.hall_database_url

    @property
    def hall_database_url(self) -> str:
        """The hall's own database, also for a terminal in training (its operators sign in
        with their hall accounts)."""
        return self.database.url or f"sqlite:///{self.data_dir / 'onestop.sqlite3'}"

    @property
    def training_dir(self) -> Path:
        return self.data_dir / "training"

    @property
    def receipt_hall_code(self) -> str:
        """The code receipt numbers start with: the hall's, or PX and the hall's in training
        (a practice receipt can never be taken for a real one, nor find a real case)."""
        return f"{TRAINING_PREFIX}{self.hall.code}" if self.terminal.training else self.hall.code

    @property
    def key_file(self) -> Path:
        return self.security.key_file or default_key_file()

    @property
    def backups_dir(self) -> Path:
        if self.terminal.training:
            return self.training_dir / "backups"
        return self.database.backup_dir or self.data_dir / "backups"

    @property
    def files_dir(self) -> Path:
        return (self.training_dir if self.terminal.training else self.data_dir) / "files"

    @property
    def catalogs_dir(self) -> Path:
        return self.data_dir / "catalogs"


def default_settings_path() -> Path:
    env = os.environ.get(SETTINGS_ENV)
    if env:
        return Path(env)
    return Path(user_config_dir("onestop", appauthor=False)) / "settings.toml"


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path`` (or the default place); defaults when the default file is absent.
    ``ONESTOP_DATA_DIR``, when set, takes the place of the file's ``data_dir``."""
    explicit = path is not None or SETTINGS_ENV in os.environ
    path = path or default_settings_path()
    raw: dict[str, Any] = {}
    if path.exists():
        raw = _read(path)
    elif explicit:
        raise SettingsError(
            f"找不到设置文件 {path}。", hint="请检查路径，或删除该参数使用默认设置。"
        )
    data_dir = os.environ.get(DATA_DIR_ENV)
    if data_dir is not None:
        raw["data_dir"] = data_dir
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "；".join(problem_words(e) for e in exc.errors())
        source = (
            f"环境变量 {DATA_DIR_ENV} 或设置文件 {path}"
            if data_dir is not None
            else (f"设置文件 {path}")
        )
        raise SettingsError(
            f"{source} 有错：{problems}。", hint="请按 README 中的示例修改后重新启动。"
        ) from None


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def _read(path: Path) -> dict[str, Any]:
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(
            f"设置文件 {path} 无法读取（{exc.strerror or '文件系统错误'}）。",
            hint="请检查文件是否存在、是否有读取权限。",
        ) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"设置文件 {path} 第{line}行不是 UTF-8 编码的文字。",
            hint="请在编辑器中以 UTF-8 编码另存后重新启动。",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        where = (
            f"第{at.group(1)}行第{at.group(2)}列附近"
            if at and at.group(1)
            else "文件末尾"
            if at
            else "某处"
        )
        raise SettingsError(
            f"设置文件 {path} 格式不对：{where}不符合 TOML 写法（常见原因：文字没加英文引号、"
            "[节名] 写错、同一项写了两次）。",
            hint="请按 README 中的示例修改后重新启动。",
        ) from None
    return raw


_SETTINGS_WORDS = {
    "extra_forbidden": "没有这个设置项（请检查拼写）",
    "dict_type": "应为一节设置，如 [hall]",
    "model_type": "应为一节设置，如 [hall]",
}


def problem_words(error: ErrorDetails) -> str:
    """One validation error of a settings file, in words a hall's IT staff read: which setting,
    and what it should be — in Chinese for every kind of error (:mod:`app.validation_zh`)."""
    where = ".".join(str(p) for p in error["loc"]) or "整个文件"
    said = _SETTINGS_WORDS.get(error["type"]) or reason_zh(error)
    return f"{where}：{said}"


# Secrets never printed: shown as set or not.
SECRETS = (("platform", "token"), ("printing", "qr_key"), ("kiosk", "staff_pin_hash"))
SECRET_SET = "（已设置，不显示）"


def shown_url(url: str) -> str:
    """A database URL to print: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def shown_settings(settings: Settings) -> dict[str, Any]:
    """The settings as a person may see them: every secret masked, the database password too."""
    data = settings.model_dump(mode="json")
    for section, key in SECRETS:
        data[section][key] = SECRET_SET if data[section][key] else ""
    if settings.database.url:
        data["database"]["url"] = shown_url(settings.database.url)
    return data
