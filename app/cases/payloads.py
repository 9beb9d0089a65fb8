"""What the platform is told about a case when it first learns of it: the submission and a
message per file. Intake sends them for a pre-application; a counter draft's go at its decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.cases.outbox import NewMessage
from app.cases.rows import StoredScan
from app.cases.snapshots import CaseView


def announcement(case: CaseView, scans: Sequence[StoredScan]) -> list[NewMessage]:
    """The messages that tell the platform about a draft: the submission, then its files."""
    names = {m.material_id: m.name for m in case.materials}
    messages = [
        NewMessage("submission", submission(case)),
        *(file_message(case.receipt_no, names[s.material_id], s) for s in scans),
    ]
    if case.assistance:  # 帮办代办 recorded while it was a draft
        messages.append(
            NewMessage("assistance", assistance_message(case.receipt_no, case.assistance))
        )
    return messages


def assistance_message(receipt_no: str, record: dict[str, Any]) -> dict[str, Any]:
    """帮办代办 and special groups as the platform gets them (no note: the applicant's words)."""
    return {
        "receipt_no": receipt_no,
        "mode": record.get("mode"),
        "helper": record.get("helper", ""),
        "minutes": record.get("minutes"),
        "groups": list(record.get("groups") or []),
        "offered": list(record.get("offered") or []),
        "at": record.get("at"),
    }


def file_message(receipt_no: str, name: str, scan: StoredScan) -> NewMessage:
    return NewMessage(
        "material",
        {
            "receipt_no": receipt_no,
            "material": scan.material_id,
            "name": name,
            "sha256": scan.sha256,
            "file_name": scan.file_name,
            "mime": scan.mime,
            "size": scan.size,
        },
        file_sha256=scan.sha256,
    )


def submission(view: CaseView) -> dict[str, Any]:
    return {
        "receipt_no": view.receipt_no,
        "hall_code": view.hall_code,
        "channel": view.channel,
        "scenario": view.scenario_code,
        "catalog_version": view.catalog_version,
        "applicant": view.applicant,
        "agent": view.agent,
        "answers": view.answers,
        "items": [
            {
                "item": i.item_id,
                "code": i.code,
                "name": i.name,
                "department": i.department,
                "needs": i.needs,
                "result": i.result,
            }
            for i in view.items
        ],
        "form": view.form_data,
        "materials": [
            {
                "material": m.material_id,
                "name": m.name,
                "status": m.status,
                "form": m.form,
                "copies": m.copies,
            }
            for m in view.materials
        ],
        "created_at": view.created_at,
    }
