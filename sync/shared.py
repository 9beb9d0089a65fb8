"""Shared data (数据共享) and e-licences (电子证照) from the platform, for the window and the kiosk:
facts that answer questions and prefill the form, and a verified licence that spares the applicant
a paper material (GB/T 45836 §7.2.4, "免提交")."""

from __future__ import annotations

from typing import Any

from app.cases.audit import Actor
from app.cases.in_hand import Licence, LicenceLookup
from app.cases.service import CaseService
from app.cases.snapshots import CaseView
from app.errors import InvalidInput
from sync.client import Platform


def facts_for(platform: Platform, id_number: str) -> tuple[dict[str, Any], str]:
    """What the platform's shared data says about a person, and where it comes from (shown to
    the clerk beside every answer it gives)."""
    found = platform.facts(id_number)
    return dict(found.facts), found.source


def licence_lookup(platform: Platform) -> LicenceLookup:
    """The platform's licence library as the case in hand asks it (:meth:`~app.cases.in_hand.
    CaseInHand.look_up_licences`): the licence, or None when the library has none of that type."""

    def lookup(id_number: str, kind: str) -> Licence | None:
        check = platform.licence(id_number, kind)
        return Licence(kind, check.number, check.issuer) if check.valid else None

    return lookup


def exempt_by_licence(
    service: CaseService,
    platform: Platform,
    actor: Actor,
    receipt_no: str,
    *,
    material_id: str,
    licence: str,
) -> CaseView:
    """Verify the applicant's e-licence ``licence`` with the platform and record the material
    as exempt, naming the licence number and issuer; refused when the platform has none."""
    case = service.get(receipt_no)
    check = platform.licence(case.applicant.id_number, licence)
    if not check.valid:
        raise InvalidInput(
            f"平台电子证照库中没有申请人 {case.applicant.name} 的{licence}，不能免提交。",
            hint="请收取纸质材料。",
        )
    reason = f"已核验电子证照：{licence}（{check.number}，{check.issuer}）"
    return service.record_material(actor, receipt_no, material_id, "exempt", exempt_reason=reason)
