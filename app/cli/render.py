"""Plain-text rendering of the questionnaire state and the plan, for the terminal."""

from __future__ import annotations

from app.guide.plan import Plan, QuestionState


def render_questions(state: QuestionState) -> str:
    lines = []
    for q in state.questions:
        mark = {"pending": "？", "answered": "✓", "auto": "⚙"}[q.status]
        answer = f" → {q.answer_label}" if q.answer_label else ""
        source = f"（{q.source}）" if q.status == "auto" else ""
        lines.append(f"{mark} [{q.id}] {q.text}{answer}{source}")
    for d in state.dropped:
        lines.append(f"✗ [{d.question}] {d.text}：{d.reason}")
    for b in state.blocked:
        lines.append(f"⛔ 不符合受理条件：{b.reason}{b.advice}")
    for b in state.item_blocks:
        lines.append(f"⊘ 部分事项不能办理（{b.answer_label}）：{b.reason}{b.advice}")
    if state.next is not None:
        options = "  ".join(f"{o.value}={o.label}" for o in state.next.options)
        lines.append(f"下一题：[{state.next.id}] {state.next.text}  {options}")
    elif not state.blocked:
        lines.append("问卷已完成，可以生成办理方案。")
    return "\n".join(lines) + "\n"


def render_plan(plan: Plan) -> str:
    out = [f"【{plan.scenario_name}】办理方案（目录版本 {plan.catalog_version}）"]
    if plan.blocked:
        for b in plan.blocked:
            said = f"（{b.answer_label}）" if b.answer_label else ""  # none: nothing left
            out.append(f"⛔ 不符合受理条件{said}：{b.reason}")
            out.append(f"   建议：{b.advice}")
        return "\n".join(out) + "\n"
    if not plan.complete:
        out.append(f"⚠ 还有问题未回答：{'、'.join(plan.pending_questions)}；以下方案尚不完整。")
    out.append("")
    out.append(f"一、办理事项（{len(plan.items)}项，{plan.promise.words}）")
    for stage in plan.stages:
        names = "、".join(next(i.name for i in plan.items if i.id == s) for s in stage.items)
        kind = "并联" if stage.parallel else "办理"
        out.append(f"  第{stage.index}步（{kind}，{stage.days}个工作日）：{names}")
    if plan.counts:
        out.append(f"  · {plan.counts_words}：材料份数和表单按人（个）数计")
    for route in plan.routes:
        out.append(f"  ▶ {route.text}")
    for notice in plan.notices:
        out.append(f"  · {notice}")
    for skipped in plan.not_chosen:
        out.append(f"  · 未选择：{skipped.name}")
    for left in plan.excluded:
        out.append(f"  ⊘ 不能办理：{left.name}——{left.reason}（请先：{left.advice}）")
    out.append(f"  · {plan.promise.words}。{plan.promise.basis_words}")
    out.append("")
    out.append(
        f"二、一套材料（{len(plan.materials)}种，"
        f"需提交 {plan.effectiveness.materials_to_submit} 种）"
    )
    for n, m in enumerate(plan.materials, start=1):
        out.append(f"  {n}. {m.name}  [{m.status_label}]  {m.need_words}")
        if m.reason:
            out.append(f"     {m.reason}")
        points = [*m.formal_review, *m.substantive_review]
        if points and m.to_submit:
            out.append(f"     审核要点：{'；'.join(points)}")
    out.append("")
    out.append(
        f"三、一张表单（{len(plan.fields)}项，需填写 {plan.effectiveness.fields_to_fill} 项）"
    )
    section = None
    for f in plan.fields:
        if f.section != section:
            section = f.section
            out.append(f"  〔{section or '其他'}〕")
        value = f" = {f.value}（来自{f.source}）" if f.value is not None else ""
        out.append(f"    {f.label}{'*' if f.required else ''}{value}")
    e = plan.effectiveness
    out.append("")
    out.append("四、成效（GB/T 45836 §8.1，分别办理 → 一件事）")
    out.append(
        f"  材料 {e.separate.materials} → {e.merged.materials}（需提交 {e.materials_to_submit}）"
    )
    out.append(f"  填表项 {e.separate.fields} → {e.merged.fields}（需填写 {e.fields_to_fill}）")
    out.append(f"  时限 {e.separate.days} → {e.merged.days} 个工作日")
    out.append(f"  窗口/部门 {e.separate.windows} → {e.merged.windows}")
    return "\n".join(out) + "\n"
