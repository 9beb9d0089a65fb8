"""帮办代办 and special groups on a real database: an older applicant recognised from the card, the
modes with who helped and for how long, 代办 asking for the authorisation, every refusal in
Chinese with nothing stored, the audit entry and the platform's message after the submission."""

from __future__ import annotations

from datetime import date

import pytest

from app.cases.assistance import (
    AUTHORISATION,
    describe,
    group_words,
    recognised,
)
from app.cases.outbox import Outbox
from app.cases.service import CaseService
from app.cases.snapshots import Party
from app.catalog.catalog import Catalog
from app.errors import InvalidInput, MissingMaterials
from tests.helpers.cases import CLERK, MOTHER, open_newborn, receive_all

GRANDMOTHER = Party("张秀英", "430104195203151241", phone="13912345678")
FATHER = Party("王强", "430104199001011230", phone="13900139000")
TODAY = date(2026, 11, 23)


def test_the_card_shows_an_older_applicant() -> None:
    assert recognised(GRANDMOTHER, TODAY) == ("elderly",)
    assert recognised(MOTHER, TODAY) == ()
    assert group_words(GRANDMOTHER, TODAY) == "老年人（74 岁）：可优先办、陪同办、代理办"
    assert group_words(MOTHER, TODAY, ["pregnant"]) == "孕妇：可优先办、陪同办、代理办"
    assert group_words(MOTHER, TODAY) == ""
    company = Party("长沙湘江科技有限公司", "91430100MA4L0000X1", kind="enterprise")
    assert recognised(company, TODAY) == ()


def test_accompanied_with_the_card_s_group_then_sent_after_the_submission(
    service: CaseService, catalog: Catalog
) -> None:
    case = open_newborn(service, catalog, applicant=GRANDMOTHER)
    helped = service.assist(
        CLERK,
        case.receipt_no,
        mode="peitong",
        helper="刘洋",
        minutes=25,
        offered=["priority", "accompany"],
        note="老人腿脚不便",
    )
    record = helped.assistance
    assert record is not None
    assert (record["mode"], record["helper"], record["minutes"]) == ("peitong", "刘洋", 25)
    assert record["groups"] == ["elderly"] and record["recognised"] == "card"
    assert describe(record) == "陪同办（刘洋，25 分钟）；特殊群体：老年人；提供：优先办、陪同办"
    assert [e.action for e in service.timeline(case.receipt_no)][-1] == "assist"
    outbox = Outbox(service.db)
    assert outbox.messages(receipt_no=case.receipt_no) == []  # a draft: nothing goes yet

    service.accept(CLERK, receive_all(service, case).receipt_no)
    kinds = [m.kind for m in outbox.messages(receipt_no=case.receipt_no)]
    assert kinds[0] == "submission" and kinds[1] == "assistance" and kinds[-1] == "acceptance"
    sent = outbox.messages(receipt_no=case.receipt_no)[1].payload
    assert sent["groups"] == ["elderly"] and "note" not in sent  # her words stay at the hall

    # corrected after the decision: recorded again and sent at once
    service.assist(CLERK, case.receipt_no, mode="peitong", helper="刘洋", minutes=30)
    assert [m.kind for m in outbox.messages(receipt_no=case.receipt_no)][-1] == "assistance"
    assert service.get(case.receipt_no).assistance["minutes"] == 30  # type: ignore[index]


def test_an_agent_brings_the_authorisation(service: CaseService, catalog: Catalog) -> None:
    alone = open_newborn(service, catalog)
    assert AUTHORISATION not in {m.material_id for m in alone.materials}
    with pytest.raises(InvalidInput, match="本办件没有登记代办人"):
        service.assist(CLERK, alone.receipt_no, mode="daiban", minutes=10)

    case = open_newborn(service, catalog, agent=FATHER)
    paper = case.material(AUTHORISATION)
    assert paper.name == "授权委托书（代办人办理）" and paper.status == "missing"
    service.assist(CLERK, case.receipt_no, mode="daiban", minutes=15)
    case = receive_all(service, case, skip=(AUTHORISATION,))
    with pytest.raises(MissingMaterials, match="授权委托书"):
        service.accept(CLERK, case.receipt_no)
    accepted = service.accept(CLERK, receive_all(service, case).receipt_no)
    assert accepted.state == "accepted"
    assert accepted.assistance and accepted.assistance["mode"] == "daiban"


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"mode": "bangban", "minutes": 10}, "须写明提供帮助的工作人员"),
        ({"mode": "peitong", "helper": "刘洋"}, "请填写帮办代办用时"),
        ({"mode": "peitong", "helper": "刘洋", "minutes": 601}, "请填写帮办代办用时"),
        ({"mode": "daiban2", "minutes": 5}, "服务方式“daiban2”不对"),
        ({"groups": ["vip"]}, "不认识的选项：vip"),
        ({}, "没有要登记的内容"),
        ({"groups": ["pregnant"], "note": "长" * 201}, "说明最多 200 字"),
    ],
)
def test_refusals_say_what_to_change_and_store_nothing(
    service: CaseService, catalog: Catalog, given: dict[str, object], words: str
) -> None:
    case = open_newborn(service, catalog)
    with pytest.raises(InvalidInput, match=words):
        service.assist(CLERK, case.receipt_no, **given)  # type: ignore[arg-type]
    assert service.get(case.receipt_no).assistance is None
    assert "assist" not in [e.action for e in service.timeline(case.receipt_no)]


def test_a_group_only_the_clerk_knows(service: CaseService, catalog: Catalog) -> None:
    case = open_newborn(service, catalog)
    marked = service.assist(CLERK, case.receipt_no, groups=["disabled"], offered=["proxy"])
    assert marked.assistance is not None
    assert marked.assistance["recognised"] == "clerk" and marked.assistance["mode"] is None
    assert describe(marked.assistance) == "特殊群体：残疾人；提供：代理办"


def test_no_age_is_read_from_a_permit_that_is_not_a_resident_id() -> None:
    """A foreigner's permanent residence card (old form) or a passport has no birth date the
    hall reads: no group is recognised, and opening the case does not fail."""
    from datetime import date

    from app.cases.assistance import recognised

    foreigner = Party("JOHN SMITH", "CAN110080020301")
    assert recognised(foreigner, date(2026, 12, 8)) == ()
