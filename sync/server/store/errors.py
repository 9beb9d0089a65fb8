"""What the platform refuses; ``sync.server.app`` answers each with its HTTP status."""

from __future__ import annotations

from sync import contract


class AuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Rejected(Exception):
    """A message the platform refuses for good; the reason is shown to a person at the hall."""


class NotPreApplication(Exception):
    """The case is no longer (or never was) a pre-application a window can pick up."""


class OffsetMismatch(Exception):
    def __init__(self, status: contract.FileStatus) -> None:
        super().__init__(f"上传位置不对：平台已有 {status.received} 字节。")
        self.status = status
