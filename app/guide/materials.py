"""One material list for the chosen items, each material once, with what exempts it (§7.4.2).

A material is spared when another chosen item produces it, when its e-licence (or the ID card on
the reader) was verified, or when the form generates it; otherwise it may be promised or
handed in later, or must be submitted. A material the guide marks 非必要 (``required: false``)
is needed exactly when its ``when`` holds; with no ``when`` it is optional: listed, never waited
for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.catalog.conditions import AnswerValue, holds
from app.catalog.models import Material
from app.guide.effectiveness import Merged
from app.guide.facts import (
    CARD_READ_FACT,
    E_LICENCE_NUMBERS_FACT,
    E_LICENCES_FACT,
    ID_CARD_LICENCE,
)
from app.guide.plan import MATERIAL_STATUS_LABELS, MaterialStatus, PlanMaterial
from app.guide.scenario_index import ScenarioIndex
from app.guide.several import Count


def merge_materials(
    index: ScenarioIndex,
    answers: Mapping[str, AnswerValue],
    facts: Mapping[str, Any],
    chosen: set[str],
    several: Mapping[str, Count],
) -> Merged[PlanMaterial]:
    """The materials the chosen items need under these answers, in the scenario's order; one
    written ``per:`` a counting question once for each (``several``: the counts answered)."""
    verified = _verified_licences(facts)
    card_read = bool(facts.get(CARD_READ_FACT))
    result = []
    separate = 0
    for material in index.scenario.materials:
        needing = index.material_items[material.id] & chosen
        if not needing or holds(material.when, answers, facts) is not True:
            continue
        separate += len(needing)
        status = _status(index, material, chosen, verified, card_read=card_read)
        per = several.get(material.per) if material.per else None
        result.append(_plan_material(index, material, needing, status, per))
    return Merged(tuple(result), separate)


def _verified_licences(facts: Mapping[str, Any]) -> dict[str, str]:
    """The e-licences verified for the applicant, each with its number and issuer when the
    platform gave them; the ID card itself when it was on the reader."""
    details = facts.get(E_LICENCE_NUMBERS_FACT)
    numbers = details if isinstance(details, Mapping) else {}
    verified = {
        str(kind): str(numbers.get(kind) or "") for kind in facts.get(E_LICENCES_FACT) or ()
    }
    if facts.get(CARD_READ_FACT):  # the card itself was on the reader: a checked original
        verified.setdefault(ID_CARD_LICENCE, "")
    return verified


def _status(
    index: ScenarioIndex,
    material: Material,
    chosen: set[str],
    verified: Mapping[str, str],
    *,
    card_read: bool = False,
) -> tuple[MaterialStatus, str]:
    """Whether the applicant hands the material in, and why not when not."""
    exemption = material.exemption
    producers = [index.items[p].name for p in exemption.produced_by if p in chosen]
    if producers:  # alternatives: whichever of them the applicant's situation chose
        return "produced", f"由“{'”或“'.join(producers)}”的办理结果提供"
    if card_read and exemption.e_licence == ID_CARD_LICENCE:
        return "e_licence", "已读取身份证原件（身份证阅读器核验）"
    if exemption.e_licence and exemption.e_licence in verified:
        number = verified[exemption.e_licence]
        return "e_licence", f"已核验电子证照：{exemption.e_licence}" + (
            f"（{number}）" if number else ""
        )
    if exemption.generated:
        return "generated", "由一表申请的内容自动生成"
    if not material.required and material.when is None:
        # clbyx 2 (非必要) with no situation that makes it needed: the applicant's choice
        return "optional", "指南标为非必要材料，申请人可以提供，不交不影响受理"
    if exemption.commitment:
        return "commitment", "可签署告知承诺书代替"
    if exemption.tolerable_missing:
        return "tolerable", "可容缺受理，承诺期限内补交"
    if exemption.e_licence:
        return "submit", f"如能核验电子证照“{exemption.e_licence}”则免提交"
    return "submit", ""


def _plan_material(
    index: ScenarioIndex,
    material: Material,
    needing: frozenset[str],
    status: tuple[MaterialStatus, str],
    per: Count | None = None,
) -> PlanMaterial:
    handover = material.handover
    thing, where, copies = "", "", material.copies
    form: str = material.form
    if handover is not None:
        # where it goes: named, or the department of the first chosen item that needs it
        first = next((i for i in material.items if i in needing), "")
        destination = handover.to or (index.items[first].department if first else "")
        thing, where = handover.label, handover.words(destination)
        form, copies = "thing", handover.count
    each = copies
    if per is not None:  # one for each employee, branch, child: copies multiply
        copies = each * per.n
    return PlanMaterial(
        id=material.id,
        name=material.name,
        status=status[0],
        status_label=MATERIAL_STATUS_LABELS[status[0]],
        reason=status[1],
        form=form,
        copies=copies,
        medium=material.medium,
        paper_size=material.paper_size,
        items=tuple(index.items[i].name for i in material.items if i in needing),
        e_licence=material.exemption.e_licence,
        commitment_allowed=material.exemption.commitment,
        tolerable_missing=material.exemption.tolerable_missing,
        notes=material.notes,
        formal_review=material.review.formal,
        substantive_review=material.review.substantive,
        thing=thing,
        handover=where,
        per=per.entity if per else "",
        per_unit=per.unit if per else "",
        each=each if per else 0,
    )
