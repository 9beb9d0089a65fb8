"""The hall's A4 documents, each built from a case (or, for the material list, from a plan)
(《行政许可法》第三十二条; GB/T 45836 §7.2.4 c, §7.3–7.8; 国办发〔2020〕42号 on 告知承诺).

``DOCUMENTS`` names them; :func:`render_case` and :func:`render_plan` produce the PDF bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from app.cases.assistance import receipt_words
from app.cases.receipts import HALL_TZ, YearSerial
from app.cases.snapshots import CaseView, MaterialView
from app.cases.states import MATERIAL_STATE_LABELS
from app.catalog.models import Scenario
from app.errors import InvalidInput
from app.guide.places import hall_window, where_to_go
from app.guide.plan import FORM_LABELS, Plan, quantity_words
from app.guide.promise import promise_for
from app.security.keys import KeyRing
from printing import qr
from printing.a4 import (
    WIDTH,
    Letterhead,
    Styles,
    esc,
    fields,
    listing,
    local,
    qr_code,
    render,
    signatures,
    table_style,
)
from printing.linebreak import ChineseParagraph

REMEDY = (
    "申请人如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，"
    "或者六个月内依法向人民法院提起行政诉讼。"
)


@dataclass(frozen=True)
class Context:
    case: CaseView
    scenario: Scenario | None  # the catalog's scenario, for time limits, fees and requirements
    letterhead: Letterhead
    keys: KeyRing  # the hall's receipt keys: the QR code is signed with the current one
    serial: YearSerial | None  # the case's number in its year (CaseService.serial_in_year)
    today: date | None = None  # the hall day it is printed on (the reminder counts from it)


Builder = Callable[[Context, Styles], list[Flowable]]


@dataclass(frozen=True)
class Document:
    name: str
    title: str
    build: Builder
    states: frozenset[str]  # case states it can be printed in
    why_not: str
    repeatable: bool = False  # each print is a new one (a reminder), not a copy of the first


def _number(ctx: Context, styles: Styles, word: str) -> ChineseParagraph:
    """The 文号 from the settings' pattern; a case numbered elsewhere, whose place in the year
    this terminal does not know, shows its receipt number instead of an invented one."""
    if ctx.serial is None:
        return ChineseParagraph(f"受理编号：{esc(ctx.case.receipt_no)}", styles.number)
    number = ctx.letterhead.number(word, ctx.serial)
    if ctx.letterhead.training:  # a practice number may repeat a real one: never without this
        number = f"（培训）{number}"
    return ChineseParagraph(esc(number), styles.number)


def _applicant_rows(case: CaseView) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("申请人", case.applicant.name),
        (
            "证件号码" if case.applicant.kind == "person" else "统一社会信用代码",
            case.applicant.id_number,
        ),
        ("联系电话", case.applicant.phone or "—"),
        ("通讯地址", case.applicant.address or "—"),
    ]
    if case.agent:
        rows.append(("代办人", f"{case.agent.name}（{case.agent.id_number}）{case.agent.phone}"))
    return rows


def _basis(ctx: Context) -> str:
    """The promise's basis, as the list the applicant was given said it (see
    :func:`app.guide.promise.promise_for`); nothing when the catalog no longer gives the case's
    days (a newer catalog version), rather than a basis for another number."""
    if ctx.scenario is None:
        return ""
    promise = promise_for(ctx.scenario, [i.item_id for i in ctx.case.items], ctx.case.answers)
    return f"。{promise.basis_words}" if promise.days == ctx.case.promised_days else ""


def _statutory(ctx: Context) -> str:
    if ctx.scenario is None:
        return "以各事项办事指南为准"
    by_id = {i.id: i for i in ctx.scenario.items}
    parts = []
    for item in ctx.case.items:
        found = by_id.get(item.item_id)
        if found is not None and found.statutory_days is not None:
            parts.append(f"{item.name} {found.statutory_days} 个工作日")
    return "；".join(parts) if parts else "办事指南未列法定办结时限，以承诺办结时限为准"


def _fees(ctx: Context) -> str:
    fees = ctx.scenario.guide.fees if ctx.scenario else ()
    return "；".join(fees) if fees else "不收费"


def _form(material: MaterialView) -> str:
    return FORM_LABELS.get(material.form, material.form)


def acceptance_receipt(ctx: Context, styles: Styles) -> list[Flowable]:
    case = ctx.case
    received = [m.received_at for m in case.materials if m.received_at is not None]
    code = qr.sign(case.receipt_no, ctx.keys)
    head = Table(
        [[_number(ctx, styles, "受字"), qr_code(code)]],
        colWidths=[WIDTH - 32 * mm, 32 * mm],
    )
    head.setStyle(table_style(("VALIGN", (0, 0), (-1, -1), "TOP")))
    items = "；".join(f"{i.name}（{i.code}）" if i.code else i.name for i in case.items)
    rows = [
        ("受理编号", case.receipt_no),
        ("一件事", case.scenario_name),
        ("办理事项", items),
        *_applicant_rows(case),
        ("受理机关", ctx.letterhead.issuer),
        ("受理窗口", ctx.letterhead.office),
        ("受理人", case.clerk),
        ("接收材料时间", local(max(received)) if received else "—"),
        ("受理时间", local(case.accepted_at)),
        ("法定办结时限", _statutory(ctx)),
        (
            "承诺办结时限",
            (
                f"{case.promise_words}，预计 "
                f"{case.promised_date:%Y年%m月%d日} 前办结（不含特别程序时间）"
                if case.promised_date
                else case.promise_words
            )
            + _basis(ctx),
        ),
        ("收费", _fees(ctx)),
        (
            "进度查询",
            f"凭受理编号在自助终端或网上查询，扫描右上角二维码，或致电 {ctx.letterhead.phone}",
        ),
        (
            "结果送达",
            case.delivery["method_label"]
            if case.delivery
            else "窗口领取；需要邮寄的，请告知窗口工作人员收件地址",
        ),
    ]
    helped = receipt_words(case.assistance)
    if helped:
        rows.append(("帮办代办", helped))
    if case.commitment:
        rows.append(
            (
                "容缺后补",
                f"以下材料承诺于 {case.commitment['due_date']} 前补交："
                + "、".join(m.name for m in case.materials if m.status == "on_commitment"),
            )
        )
    materials = [
        [
            n,
            m.name,
            _form(m),
            m.copies,
            m.exempt_reason if m.status == "exempt" and m.exempt_reason else m.status_label,
        ]
        for n, m in enumerate(case.materials, start=1)
    ]
    return [
        ChineseParagraph("受理通知书", styles.title),
        head,
        ChineseParagraph(f"{esc(case.applicant.name)}：", styles.body),
        ChineseParagraph(
            f"你（单位）于 {local(case.accepted_at, with_time=False)} 提出的"
            f"“{esc(case.scenario_name)}”申请，申请材料齐全、符合法定形式，根据"
            "《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，决定予以受理。",
            styles.indent,
        ),
        Spacer(1, 3 * mm),
        fields(styles, rows),
        ChineseParagraph("申请材料接收清单", styles.heading),
        listing(
            styles,
            ["序号", "材料名称", "要求", "份数", "收取情况"],
            materials,
            [12 * mm, 70 * mm, 26 * mm, 12 * mm, WIDTH - 120 * mm],
        ),
        signatures(
            styles, ctx.letterhead, ["申请人（代办人）签名", "受理人签名"], case.accepted_at
        ),
    ]


def not_accepted_notice(ctx: Context, styles: Styles) -> list[Flowable]:
    case = ctx.case
    decision = case.not_accepted or {}
    story: list[Flowable] = [
        ChineseParagraph("不予受理通知书", styles.title),
        _number(ctx, styles, "不受字"),
        ChineseParagraph(f"{esc(case.applicant.name)}：", styles.body),
        ChineseParagraph(
            f"你（单位）提出的“{esc(case.scenario_name)}”申请，经审查，"
            f"{esc(decision.get('ground_text', ''))}，决定不予受理。",
            styles.indent,
        ),
        ChineseParagraph("理由：", styles.heading),
    ]
    story += [
        ChineseParagraph(f"{n}. {esc(r)}", styles.body)
        for n, r in enumerate(decision.get("reasons", []), start=1)
    ]
    if decision.get("office"):
        story += [
            ChineseParagraph("请向以下机关或渠道提出申请：", styles.heading),
            ChineseParagraph(esc(decision["office"]), styles.body),
        ]
    if decision.get("supplement"):
        story += [
            ChineseParagraph("需要补正的材料：", styles.heading),
            ChineseParagraph(
                "、".join(esc(s["name"]) for s in decision["supplement"]), styles.body
            ),
        ]
    story += [
        Spacer(1, 3 * mm),
        ChineseParagraph(REMEDY, styles.indent),
        fields(styles, _applicant_rows(case)),
        signatures(styles, ctx.letterhead, ["申请人（代办人）签收"], case.closed_at),
    ]
    return story


def supplement_notice(ctx: Context, styles: Styles) -> list[Flowable]:
    case = ctx.case
    wanted = {s["material"] for s in (case.not_accepted or {}).get("supplement", [])}
    missing = [
        m
        for m in case.materials
        if m.material_id in wanted or (not wanted and m.status == "missing")
    ]
    requirements = {m.id: m for m in ctx.scenario.materials} if ctx.scenario else {}
    rows = []
    for n, m in enumerate(missing, start=1):
        spec = requirements.get(m.material_id)
        points = [*spec.review.formal, *spec.review.substantive] if spec else []
        need = quantity_words(m.form, m.copies) + (f"；{'；'.join(points)}" if points else "")
        if spec and spec.notes:
            need += f"；{spec.notes}"
        rows.append([n, m.name, need])
    return [
        ChineseParagraph("补正材料一次性告知书", styles.title),
        _number(ctx, styles, "补字"),
        ChineseParagraph(f"{esc(case.applicant.name)}：", styles.body),
        ChineseParagraph(
            f"你（单位）提出的“{esc(case.scenario_name)}”申请，申请材料不齐全或者不符合"
            "法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，"
            f"现一次告知你需要补正的全部内容（共 {len(rows)} 项）。"
            "补齐后请携带本告知书到窗口办理。",
            styles.indent,
        ),
        Spacer(1, 3 * mm),
        listing(
            styles, ["序号", "材料名称", "补正要求"], rows, [12 * mm, 55 * mm, WIDTH - 67 * mm]
        ),
        signatures(
            styles, ctx.letterhead, ["申请人（代办人）签收"], case.closed_at or case.created_at
        ),
    ]


def commitment_letter(ctx: Context, styles: Styles) -> list[Flowable]:
    """告知承诺书: what the applicant promises to bring later (容缺受理), what the applicant's
    commitment replaces (证明事项告知承诺制) and when it is checked, the consequences of a
    promise not kept or untrue, and the applicant's signature."""
    case = ctx.case
    commitment = case.commitment or {}
    verification = case.verification or {}
    promised = [m for m in case.materials if m.material_id in commitment.get("materials", [])]
    pledged = [m for m in case.materials if m.status == "committed"]
    told: list[Flowable] = []
    if promised:
        told.append(
            ChineseParagraph(
                f"你（单位）申请的“{esc(case.scenario_name)}”（受理编号 "
                f"{esc(case.receipt_no)}），以下材料可以先行受理、承诺后补（容缺受理）："
                f"{'、'.join(esc(m.name) for m in promised)}。你应当于 "
                f"{esc(commitment.get('due_date', ''))} 前补交上述材料；逾期未补交或者补交的"
                "材料不符合要求的，本机关将依法终止办理。",
                styles.indent,
            )
        )
    if pledged:
        due = str(verification.get("due_date") or "")
        told.append(
            ChineseParagraph(
                f"你（单位）申请的“{esc(case.scenario_name)}”（受理编号 "
                f"{esc(case.receipt_no)}）所需的下列证明材料实行证明事项告知承诺制，可以书面承诺"
                f"代替，不再提交：{'、'.join(esc(m.name) for m in pledged)}。承办部门将"
                + (f"于 {esc(due)} 前" if due else "在受理后")
                + "对承诺内容进行核查。",
                styles.indent,
            )
        )
    told.append(
        ChineseParagraph(
            "承诺内容不实的，本机关将依法撤销相关决定，并记入信用记录，依法追究相应责任。"
            "申请人可以在期限届满前撤回承诺。",
            styles.indent,
        )
    )
    promises = "承诺所填写的信息真实、准确，符合办理条件"
    if pledged:
        promises += f"，{'、'.join(esc(m.name) for m in pledged)}所证明的事项属实"
    if promised:
        promises += "，能够在约定期限内补交上述材料"
    return [
        ChineseParagraph("告知承诺书", styles.title),
        _number(ctx, styles, "诺字"),
        ChineseParagraph("一、行政机关告知", styles.heading),
        *told,
        ChineseParagraph("二、申请人承诺", styles.heading),
        ChineseParagraph(
            f"本人（单位）已经知晓行政机关告知的全部内容，{promises}，愿意接受行政机关的核查，"
            "愿意承担不实承诺的法律责任。",
            styles.indent,
        ),
        fields(styles, _applicant_rows(case)),
        signatures(styles, ctx.letterhead, ["承诺人签名"], case.accepted_at),
    ]


def supplement_reminder(ctx: Context, styles: Styles) -> list[Flowable]:
    """容缺材料补交提醒: what was promised, by when, what is still missing and what waits for it,
    what happens if it does not come (as the catalog says), and where to bring it."""
    case = ctx.case
    commitment = case.commitment or {}
    today = ctx.today or date.today()
    due = date.fromisoformat(str(commitment.get("due_date")))
    waiting = [m for m in case.materials if m.status == "on_commitment"]
    scenario = ctx.scenario
    items = {i.item_id: i for i in case.items}

    def needing(material: MaterialView) -> str:
        ids = scenario.items_needing([material.material_id]) if scenario else ()
        chosen = [items[i] for i in ids if i in items]
        return "；".join(f"{i.name}（{i.department}）" for i in chosen) or "本一件事各事项"

    left = (due - today).days
    standing = (
        f"已超过补交期限 {-left} 天"
        if left < 0
        else ("今天是补交期限的最后一天" if left == 0 else f"距补交期限还有 {left} 天")
    )
    stopping = [m for m in waiting if scenario is None or scenario.missed_stops(m.material_id)]
    reminded = [m for m in waiting if m not in stopping]
    outcomes = []
    if stopping:
        outcomes.append(
            f"{'、'.join(esc(m.name) for m in stopping)}逾期仍未补交的，需要该材料的事项将"
            "终止办理，本中心将告知承办部门；其他事项不受影响，照常办理。"
        )
    if reminded:
        outcomes.append(
            f"{'、'.join(esc(m.name) for m in reminded)}逾期未补交的，本中心将继续提醒；"
            "办理结果在材料补齐后发放。"
        )
    where = "，".join(
        p
        for p in (
            ctx.letterhead.address and f"地址：{ctx.letterhead.address}",
            ctx.letterhead.hours and f"办公时间：{ctx.letterhead.hours}",
            ctx.letterhead.phone and f"咨询电话：{ctx.letterhead.phone}",
        )
        if p
    )
    rows = [
        [n, m.name, f"{_form(m)} {m.copies} 份", needing(m)] for n, m in enumerate(waiting, start=1)
    ]
    return [
        ChineseParagraph("容缺材料补交提醒", styles.title),
        _number(ctx, styles, "催字"),
        ChineseParagraph(f"{esc(case.applicant.name)}：", styles.body),
        ChineseParagraph(
            f"你（单位）于 {local(case.accepted_at, with_time=False)} 申请的"
            f"“{esc(case.scenario_name)}”（受理编号 {esc(case.receipt_no)}）已容缺受理，"
            f"你承诺于 {due:%Y年%m月%d日} 前补交下列材料。截至 {today:%Y年%m月%d日}，"
            f"这些材料尚未补交，{standing}。",
            styles.indent,
        ),
        listing(
            styles,
            ["序号", "材料名称", "要求", "等待该材料的事项（承办部门）"],
            rows,
            [12 * mm, 60 * mm, 32 * mm, WIDTH - 104 * mm],
        ),
        Spacer(1, 3 * mm),
        *(ChineseParagraph(o, styles.indent) for o in outcomes),
        ChineseParagraph(
            f"请携带上述材料到{esc(ctx.letterhead.hall)}{esc(ctx.letterhead.office)}补交"
            f"（{esc(where)}），凭受理编号或本提醒办理，无需重新申请。"
            if where
            else f"请携带上述材料到{esc(ctx.letterhead.hall)}{esc(ctx.letterhead.office)}补交，"
            "凭受理编号或本提醒办理，无需重新申请。",
            styles.indent,
        ),
        signatures(
            styles,
            ctx.letterhead,
            ["经办人签名"],
            datetime.combine(today, time(12), HALL_TZ),
        ),
    ]


def delivery_receipt(ctx: Context, styles: Styles) -> list[Flowable]:
    case = ctx.case
    delivery = case.delivery or {}
    results = [
        [
            n,
            i.name,
            (i.decision or {}).get("result_name") or "—",
            (i.decision or {}).get("result_no") or "—",
            i.state_label,
        ]
        for n, i in enumerate(case.items, start=1)
    ]
    rows = [
        ("受理编号", case.receipt_no),
        ("一件事", case.scenario_name),
        *_applicant_rows(case),
        ("送达方式", delivery.get("method_label", "")),
        ("领取人 / 收件人", delivery.get("recipient", "")),
        ("快递单号", delivery.get("tracking_no", "") or "—"),
        ("邮寄地址", delivery.get("address", "") or "—"),
        ("送达时间", local(case.delivered_at)),
    ]
    return [
        ChineseParagraph("办理结果送达回执", styles.title),
        _number(ctx, styles, "送字"),
        fields(styles, rows),
        ChineseParagraph("办理结果", styles.heading),
        listing(
            styles,
            ["序号", "事项", "结果名称", "证照编号", "办理结果"],
            results,
            [12 * mm, 55 * mm, 35 * mm, 40 * mm, WIDTH - 142 * mm],
        ),
        KeepTogether(  # the licences with the signatures that acknowledge them
            [
                *_e_licences(ctx, styles),
                signatures(styles, ctx.letterhead, ["领取人签名", "经办人签名"], case.delivered_at),
            ]
        ),
    ]


def _e_licences(ctx: Context, styles: Styles) -> list[Flowable]:
    """The results issued as e-licences (the catalog says which: ``result.kind: e_licence``),
    each with its number, its issuer and a QR to view it — the electronic delivery's proof."""
    kinds = {
        i.id: i.result.e_licence_type or i.result.name
        for i in (ctx.scenario.items if ctx.scenario else ())
        if i.result.kind == "e_licence"
    }
    issued = [
        (kinds[i.item_id], str(i.decision.get("result_no")), i.department)
        for i in ctx.case.items
        if i.item_id in kinds
        and i.state == "approved"
        and i.decision
        and i.decision.get("result_no")
        and not i.decision.get("revoked")
    ]
    if not issued:
        return []
    rows = [
        [
            ChineseParagraph(esc(kind), styles.body),
            ChineseParagraph(esc(number), styles.body),
            ChineseParagraph(esc(issuer), styles.body),
            qr_code(ctx.letterhead.licence_link(kind, number, issuer), 17 * mm),
        ]
        for kind, number, issuer in issued
    ]
    grid = Table(
        [["电子证照", "证照编号", "发证机关", "查看"], *rows],
        colWidths=[40 * mm, 40 * mm, WIDTH - 100 * mm, 20 * mm],
    )
    grid.setStyle(table_style(("VALIGN", (0, 0), (-1, -1), "MIDDLE")))
    return [
        Spacer(1, 3 * mm),
        ChineseParagraph(
            "下列办理结果已签发电子证照，与纸质证照具有同等效力，可在电子证照应用中查看、出示，"
            "扫描二维码查看：",
            styles.body,
        ),
        grid,
    ]


def withdrawal_receipt(ctx: Context, styles: Styles) -> list[Flowable]:
    case = ctx.case
    withdrawal = case.withdrawal or {}
    returned = [
        [
            n,
            r.get("name", ""),
            MATERIAL_STATE_LABELS.get(r.get("status", ""), ""),
            r.get("copies", ""),
        ]
        for n, r in enumerate(withdrawal.get("returned", []), start=1)
    ]
    return [
        ChineseParagraph("撤回申请及材料退还回执", styles.title),
        _number(ctx, styles, "撤字"),
        ChineseParagraph(
            f"申请人 {esc(case.applicant.name)} 于 {local(case.closed_at)} 撤回"
            f"“{esc(case.scenario_name)}”申请（受理编号 {esc(case.receipt_no)}），"
            f"原因：{esc(withdrawal.get('reason', ''))}。尚未办结的事项已终止办理，"
            f"收取的全部材料当场退还给 {esc(withdrawal.get('returned_to', ''))}。",
            styles.indent,
        ),
        ChineseParagraph(f"退还材料清单（共 {len(returned)} 项）", styles.heading),
        listing(
            styles,
            ["序号", "材料名称", "收取情况", "份数"],
            returned,
            [12 * mm, 90 * mm, 45 * mm, WIDTH - 147 * mm],
        ),
        signatures(styles, ctx.letterhead, ["领回人签名", "经办人签名"], case.closed_at),
    ]


DOCUMENTS: dict[str, Document] = {
    d.name: d
    for d in (
        Document(
            "acceptance",
            "受理通知书",
            acceptance_receipt,
            frozenset({"accepted", "accepted_on_commitment", "completed", "delivered"}),
            "只有已受理的办件才能打印受理通知书。",
        ),
        Document(
            "commitment",
            "告知承诺书",
            commitment_letter,
            frozenset({"accepted_on_commitment", "accepted", "completed", "delivered"}),
            "只有容缺受理或以告知承诺代替证明材料的办件才有告知承诺书。",
        ),
        Document(
            "not_accepted",
            "不予受理通知书",
            not_accepted_notice,
            frozenset({"not_accepted"}),
            "只有不予受理的办件才能打印不予受理通知书。",
        ),
        Document(
            "supplement",
            "补正材料一次性告知书",
            supplement_notice,
            frozenset({"draft", "pre_application", "not_accepted"}),
            "只有尚未受理或因材料不全不予受理的办件需要补正告知。",
        ),
        Document(
            "reminder",
            "容缺材料补交提醒",
            supplement_reminder,
            frozenset({"accepted_on_commitment"}),
            "只有容缺受理、尚有材料待补交的办件才能打印补交提醒。",
            repeatable=True,
        ),
        Document(
            "delivery",
            "办理结果送达回执",
            delivery_receipt,
            frozenset({"delivered"}),
            "只有已送达的办件才能打印送达回执。",
        ),
        Document(
            "withdrawal",
            "撤回申请及材料退还回执",
            withdrawal_receipt,
            frozenset({"withdrawn"}),
            "只有已撤回的办件才能打印撤回回执。",
        ),
    )
}


def render_case(name: str, ctx: Context) -> bytes:
    """The PDF of document ``name`` for the case; refused when the case is in no state for it."""
    document = DOCUMENTS.get(name)
    if document is None:
        raise InvalidInput(f"没有文书“{name}”。", hint=f"可选：{'、'.join(DOCUMENTS)}。")
    if (
        ctx.case.state not in document.states
        or (name == "commitment" and not (ctx.case.commitment or ctx.case.verification))
        or (name == "reminder" and not any(m.status == "on_commitment" for m in ctx.case.materials))
    ):
        raise InvalidInput(
            f"办件 {ctx.case.receipt_no} 当前为“{ctx.case.state_label}”：{document.why_not}"
        )
    moment = _moment(ctx.case, name)
    if name == "reminder" and ctx.today is not None:
        moment = datetime.combine(ctx.today, time(12), HALL_TZ)
    return render(
        document.build(ctx, Styles()),
        title=document.title,
        letterhead=ctx.letterhead,
        moment=moment,
        key=f"{ctx.case.receipt_no}/{name}",
    )


def _moment(case: CaseView, name: str) -> datetime:
    by_document = {
        "acceptance": case.accepted_at,
        "commitment": case.accepted_at,
        "not_accepted": case.closed_at,
        "delivery": case.delivered_at,
        "withdrawal": case.closed_at,
    }
    return by_document.get(name) or case.created_at


def plan_list(
    plan: Plan, scenario: Scenario, letterhead: Letterhead, styles: Styles
) -> list[Flowable]:
    """一次告知: what this applicant needs, where and when to go (what a kiosk prints)."""
    items = [[n, i.name, i.department, i.time_words] for n, i in enumerate(plan.items, start=1)]
    materials = [
        [
            n,
            m.name,
            m.status_label + (f"：{m.reason}" if m.reason else ""),
            m.need_words if m.to_submit or m.optional else "—",
        ]
        for n, m in enumerate(plan.materials, start=1)
    ]
    guide = scenario.guide
    hall = hall_window(
        letterhead.hall, letterhead.office, letterhead.address, letterhead.phone, letterhead.hours
    )
    places = [
        [n, f"{place.name}（{place.role}）", place.address or "—", place.hours or "—"]
        for n, place in enumerate(where_to_go(scenario, hall), start=1)
    ]
    promise = plan.promise
    rows = [
        ("咨询电话", "；".join(guide.contacts.consult) or letterhead.phone),
        ("承诺办结时限", f"{promise.words}。{promise.basis_words}"),
        ("收费", "；".join(guide.fees) or "不收费"),
    ]
    return [
        ChineseParagraph(f"“{esc(plan.scenario_name)}”办事指南（个人清单）", styles.title),
        ChineseParagraph("根据您在自助终端上的回答生成，请携带下列材料到窗口办理。", styles.body),
        *(ChineseParagraph(esc(text), styles.body) for text in (plan.counts_words,) if text),
        *(ChineseParagraph(esc(route.text), styles.body) for route in plan.routes),
        ChineseParagraph("办理事项", styles.heading),
        listing(
            styles,
            ["序号", "事项", "办理部门", "承诺时限"],
            items,
            [12 * mm, 80 * mm, 50 * mm, WIDTH - 142 * mm],
        ),
        *_excluded_items(plan, styles),
        ChineseParagraph("需要准备的材料", styles.heading),
        listing(
            styles,
            ["序号", "材料名称", "提交方式", "要求"],
            materials,
            [12 * mm, 62 * mm, WIDTH - 112 * mm, 38 * mm],
        ),
        ChineseParagraph("去哪里办（按顺序）", styles.heading),
        listing(
            styles,
            ["序号", "地点", "地址", "时间"],
            places,
            [12 * mm, 52 * mm, 50 * mm, WIDTH - 114 * mm],
        ),
        Spacer(1, 2 * mm),
        fields(styles, rows),
        Spacer(1, 4 * mm),
        ChineseParagraph(
            f"目录版本 {esc(plan.catalog_version)}；如政策调整，以窗口告知为准。", styles.small
        ),
    ]


def _excluded_items(plan: Plan, styles: Styles) -> list[Flowable]:
    """The items this applicant cannot do now, why, and what to do first."""
    if not plan.excluded:
        return []
    rows = [[n, e.name, e.reason, e.advice] for n, e in enumerate(plan.excluded, start=1)]
    return [
        ChineseParagraph("本次不能办理的事项", styles.heading),
        listing(
            styles,
            ["序号", "事项", "原因", "请先"],
            rows,
            [12 * mm, 50 * mm, 60 * mm, WIDTH - 122 * mm],
        ),
    ]


def render_plan(plan: Plan, scenario: Scenario, letterhead: Letterhead, *, at: datetime) -> bytes:
    story = plan_list(plan, scenario, letterhead, Styles())
    return render(
        story, title="办事指南", letterhead=letterhead, moment=at, key=f"{plan.scenario}/plan"
    )
