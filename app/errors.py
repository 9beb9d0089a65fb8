"""One exception hierarchy for the core.

Every error a person can cause carries a message in Chinese that says what is wrong and what to do
next, so that a user interface or the command line can show it as it is, without a traceback.
"""

from __future__ import annotations


class OneStopError(Exception):
    """Base of all errors the core raises on purpose; ``message`` is safe to show a person."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return (
            f"{self.message}{self.hint}"
            if self.message.endswith("。")
            else (f"{self.message}。{self.hint}" if self.hint else self.message)
        )

    def to_dict(self) -> dict[str, str]:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint}


class CatalogError(OneStopError):
    """The catalog data is malformed or inconsistent."""


class UnknownScenario(OneStopError):
    """A scenario code or name that the catalog does not have."""


class AnswerError(OneStopError):
    """An answer that names an unknown question or option, or answers that contradict each other."""


class ItemChoiceError(OneStopError):
    """The applicant chose an item that does not exist or does not apply to their situation."""


class InvalidIdNumber(OneStopError):
    """A resident ID number (GB 11643) that is malformed; the message says which part is wrong."""


class InvalidCreditCode(OneStopError):
    """A unified social credit code (GB 32100) that is malformed."""


class InvalidInput(OneStopError):
    """Input a person typed (JSON, a phone number, a date…) that cannot be understood."""


class SettingsError(OneStopError):
    """The settings file is missing, unreadable or has a wrong value."""


class StorageError(OneStopError):
    """The database or the file store cannot do what was asked; nothing was changed."""


class DatabaseBusy(StorageError):
    """Another terminal holds the database for longer than the wait allows."""


class DiskFull(StorageError):
    """No space is left for the database or the scanned materials."""


class MigrationError(StorageError):
    """The database schema cannot be brought up to date."""


class StopWriting(StorageError):
    """This program must not write to the database any more (it is superseded): a background
    worker that meets it stops instead of trying again."""


class SchemaMoved(StopWriting):
    """Another terminal upgraded the hall's database past this program: it stops writing."""


class SharedDatabase(StopWriting):
    """A SQLite database another terminal uses, or one on a network share: SQLite serves one
    terminal on its own disk; a hall of several terminals uses PostgreSQL."""


class CaseError(OneStopError):
    """A case operation that is not allowed or not possible."""


class CaseNotFound(CaseError):
    """No case with this receipt number or id."""


class InvalidTransition(CaseError):
    """The case (or item, or message) is not in a state that allows this action."""


class RemindOnly(InvalidTransition):
    """A promised material the catalog says only to remind about when late (容缺 ``missed:
    remind``): a missed deadline stops nothing."""


class DuplicateReceipt(CaseError):
    """A receipt number that is already taken."""


class MissingMaterials(CaseError):
    """Required materials are neither received nor exempt at acceptance."""

    def __init__(self, message: str, *, hint: str = "", materials: tuple[str, ...] = ()) -> None:
        super().__init__(message, hint=hint)
        self.materials = materials


class CatalogVersionGone(CaseError):
    """The case was decided under a catalog version this terminal no longer has."""


class OutboxError(OneStopError):
    """An outbox message cannot be changed the way asked."""


class AuditBroken(OneStopError):
    """The audit chain does not verify: a row was edited, removed or inserted."""


UNEXPECTED = (
    "程序出现意外错误，刚才的操作没有完成（已保存的办件不受影响，详情已写入日志）。"
    "请重试；仍不行请联系技术人员。"
)


def describe(exc: BaseException) -> tuple[str, bool]:
    """What a person reads about ``exc``, and whether it was unexpected (log it with its trace).

    Our own errors (device errors among them) carry their Chinese message; anything else gets
    one general message — a traceback never reaches a person."""
    if isinstance(exc, OneStopError):
        return str(exc), False
    return UNEXPECTED, True


class KeysError(OneStopError):
    """The hall's key file is missing, unreadable by its owner only, or malformed."""
