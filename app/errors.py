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
