"""Picking up a kiosk's pre-application at the window when the kiosk keeps its own database.

The kiosk sent the pre-application and its scans to the platform; the window fetches it there by
its receipt number, downloads every scan, checks each against its SHA-256 and stores the case in
one go (:meth:`~app.cases.intake.Intake.open_case` with ``from_platform``): nothing is queued back,
and the window's messages for the case follow the platform's last one. Either the whole
pre-application is stored, with all its scans, or nothing is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from app.cases.audit import Actor
from app.cases.intake import NewScan
from app.cases.service import CaseService
from app.cases.snapshots import CaseView, Party
from app.errors import CaseNotFound, DuplicateReceipt
from sync import contract
from sync.client import NotFound, Platform, PlatformError

STILL_UPLOADING = "预申请的材料还在上传，请稍后再扫一次。"


def fetch_pre_application(
    cases: CaseService, platform: Platform, actor: Actor, receipt_no: str
) -> CaseView:
    """The pre-application ``receipt_no``: the local case if this database has it already,
    else fetched from the platform and stored here.

    Raises :class:`~app.errors.CaseNotFound` when the platform has none for this hall, and
    :class:`~sync.client.PlatformError` while its scans are still on their way (``transient``:
    scan again later), when a scan does not match its SHA-256, or when the platform cannot be
    reached; a 409 (:class:`~sync.client.Refused`) says the case was decided or withdrawn."""
    receipt_no = receipt_no.strip()
    try:
        return cases.get(receipt_no)
    except CaseNotFound:
        pass
    try:
        found = platform.pre_application(receipt_no)
    except NotFound:
        raise CaseNotFound(
            f"平台上没有受理编号为 {receipt_no} 的预申请。",
            hint="请核对编号；自助终端刚提交的预申请要等它同步到平台后才能调取，请稍后再试。",
        ) from None
    if not found.complete:
        names = "、".join(f"{a.name or a.material}（{a.file_name}）" for a in found.missing)
        raise PlatformError(
            f"预申请 {receipt_no} 还有 {len(found.missing)} 份材料文件没有传到平台：{names}。",
            hint=STILL_UPLOADING,
        )
    scans = _scans(platform, receipt_no, found.files)
    submission = found.submission
    try:
        return cases.open_case(
            actor,
            channel=submission.channel,
            scenario=submission.scenario,
            applicant=_party(submission.applicant),
            agent=_party(submission.agent) if submission.agent else None,
            answers=submission.answers,
            items=[i.item for i in submission.items],
            form=submission.form,
            receipt_no=receipt_no,
            scans=scans,
            from_platform=True,
            platform_seq=found.last_seq,
        )
    except DuplicateReceipt:  # another window of this database picked it up meanwhile
        return cases.get(receipt_no)


def _scans(
    platform: Platform, receipt_no: str, files: Sequence[contract.Attachment]
) -> list[NewScan]:
    """Every scan's bytes, each checked against its SHA-256 before anything is stored."""
    fetched: dict[str, bytes] = {}
    scans = []
    for file in files:
        data = fetched.get(file.sha256)
        if data is None:
            data = fetched[file.sha256] = platform.download(file.sha256)
            if hashlib.sha256(data).hexdigest() != file.sha256:
                raise PlatformError(
                    f"平台发来的材料文件“{file.file_name}”与登记的 SHA-256 不符（文件损坏或被"
                    f"改动），预申请 {receipt_no} 没有调取。",
                    hint="请稍后再扫一次；仍不行请联系平台管理员核查该文件，"
                    "或请申请人在窗口重新提交材料。",
                )
        # The platform does not keep page counts; a scan counts as one page until re-scanned.
        scans.append(NewScan(file.material, data, file.file_name, file.mime))
    return scans


def _party(party: contract.Party) -> Party:
    return Party(party.name, party.id_number, party.kind, party.phone, party.address)
