"""Step 3 — the questionnaire and the items, on one screen.

Every question that applies is one compact row: Tab moves between them, a digit picks the option
with that number (the options are numbered), and answers the facts gave are shown pre-selected
with where they came from — the clerk can override them. Beside them: the items, all chosen by
default; dropping one that another needs is explained, not silently undone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.cases.snapshots import CaseView
from app.guide.plan import Plan, QuestionState, QuestionView
from counter.ui.station import Screen, Station

PICK = "请选择…"


class QuestionRow:
    """The widgets of one question; kept while the question applies (focus stays put)."""

    def __init__(self, screen: QuestionsScreen, question: QuestionView) -> None:
        self.id = question.id
        self.kind = question.kind
        self.label = QLabel(question.text)
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(260)
        self.label.setToolTip(question.help)
        self.source = QLabel("")
        self.source.setWordWrap(True)
        self.source.setMaximumWidth(230)
        self.source.setStyleSheet("color:#555;")
        self.values = [o.value for o in question.options]
        self.combo: QComboBox | None = None
        self.boxes: list[QCheckBox] = []
        self.editor = QWidget()
        layout = QHBoxLayout(self.editor)
        layout.setContentsMargins(0, 0, 0, 0)
        if question.kind == "multi":
            for option in question.options:
                box = QCheckBox(option.label)
                box.toggled.connect(lambda _=False, q=question.id: screen.multi_changed(q))
                self.boxes.append(box)
                layout.addWidget(box)
        else:
            combo = QComboBox()
            combo.setObjectName(f"q_{question.id}")
            combo.addItem(PICK)
            for number, option in enumerate(question.options, start=1):
                stop = "（不能办理）" if option.stops else ""
                combo.addItem(f"{number} {option.label}{stop}", option.value)
            combo.activated.connect(lambda index, q=question.id: screen.single_chosen(q, index))
            self.combo = combo
            layout.addWidget(combo)
        layout.addStretch(1)

    def show(self, question: QuestionView) -> None:
        answer = question.answer
        if self.combo is not None:
            index = self.values.index(answer) + 1 if answer in self.values else 0
            self.combo.setCurrentIndex(index)
        else:
            chosen = set(answer) if isinstance(answer, list | tuple) else set()
            for box, value in zip(self.boxes, self.values, strict=True):
                box.blockSignals(True)
                box.setChecked(value in chosen)
                box.blockSignals(False)
        self.source.setToolTip(question.source)
        if question.status == "auto":
            where = question.source.split("：", 1)[0]
            self.source.setText(f"已按{where}自动选择，可改")
        elif question.auto_value is not None and question.auto_value != answer:
            self.source.setText("已改（与共享数据不同）")
        elif question.auto_value is not None:
            self.source.setText("与共享数据一致")
        else:
            self.source.setText("" if question.status == "answered" else "待回答")

    @property
    def focus(self) -> QWidget:
        return (
            self.combo if self.combo is not None else (self.boxes[0] if self.boxes else self.label)
        )

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.label, self.editor, self.source)


class QuestionsScreen(Screen):
    title = "问卷与事项"
    done = Signal()

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.rows: dict[str, QuestionRow] = {}
        self.order: list[str] = []
        self.heading = QLabel("")
        self.heading.setObjectName("scenario_heading")
        self.heading.setStyleSheet("font-size:16px; font-weight:bold;")
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(0, 3)
        self.grid.setColumnStretch(1, 2)
        self.grid.setColumnStretch(2, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        self.blocked = QLabel("")
        self.blocked.setObjectName("blocked")
        self.blocked.setWordWrap(True)
        self.blocked.setStyleSheet("color:#b00020; font-weight:bold;")

        self.items_box = QGroupBox("办理事项（默认全选，可去掉不办的）")
        self.items_layout = QVBoxLayout(self.items_box)
        self.item_boxes: dict[str, QCheckBox] = {}
        self.notices = QLabel("")
        self.notices.setObjectName("item_notices")
        self.notices.setWordWrap(True)
        self.notices.setStyleSheet("color:#8a5a00;")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.next = QPushButton("保存并填写申请表 (Ctrl+Enter)")
        self.next.setObjectName("questions_next")
        self.next.setShortcut("Ctrl+Return")
        self.next.clicked.connect(self.confirm)

        right = QVBoxLayout()
        right.addWidget(self.items_box)
        right.addWidget(self.notices)
        right.addWidget(self.summary)
        right.addStretch(1)
        right.addWidget(self.next)
        left = QVBoxLayout()
        left.addWidget(self.heading)
        left.addWidget(scroll, 1)
        left.addWidget(self.blocked)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

    def enter(self) -> None:
        scenario = self.in_hand.scenario
        self.heading.setText(scenario.name if scenario else "")
        for row in self.rows.values():
            for widget in row.widgets():
                widget.deleteLater()
        self.rows, self.order = {}, []
        self._show(self.in_hand.questions())
        first = next(
            (self.rows[q] for q in self.order if self.rows[q].source.text() == "待回答"), None
        )
        QTimer.singleShot(0, (first.focus if first else self.next).setFocus)  # once shown

    # -- answering --------------------------------------------------------------------------------
    def single_chosen(self, question: str, index: int) -> None:
        row = self.rows[question]
        if index <= 0 or row.combo is None:
            return
        was_pending = row.source.text() == "待回答"
        self._answer(question, row.combo.itemData(index))
        if was_pending:
            self._focus_next(question)

    def multi_changed(self, question: str) -> None:
        row = self.rows[question]
        values = [v for box, v in zip(row.boxes, row.values, strict=True) if box.isChecked()]
        self._answer(question, values)

    def _answer(self, question: str, value: object) -> None:
        try:
            state = self.in_hand.answer(question, value)
        except Exception as exc:  # a refused answer (AnswerError): say so, keep the others
            self.station.bar.show_exception(exc)
            return
        self.station.bar.clear_message()
        self._show(state)

    def _focus_next(self, after: str) -> None:
        start = self.order.index(after) + 1 if after in self.order else 0
        pending = [q for q in self.order[start:] if self.rows[q].source.text() == "待回答"]
        (self.rows[pending[0]].focus if pending else self.next).setFocus()

    def _show(self, state: QuestionState) -> None:
        order = [q.id for q in state.questions]
        for question in state.questions:
            if question.id not in self.rows:
                self.rows[question.id] = QuestionRow(self, question)
            self.rows[question.id].show(question)
        if order != self.order:
            for row in self.rows.values():
                for widget in row.widgets():
                    self.grid.removeWidget(widget)
                    widget.setVisible(False)
            for line, question_id in enumerate(order):
                for column, widget in enumerate(self.rows[question_id].widgets()):
                    self.grid.addWidget(widget, line, column, Qt.AlignmentFlag.AlignVCenter)
                    widget.setVisible(True)
            for line in range(self.grid.rowCount()):
                self.grid.setRowStretch(line, 0)
            self.grid.setRowStretch(len(order), 1)
            self.order = order
        self.blocked.setText(
            "\n".join(f"不符合办理条件：{b.reason} {b.advice}" for b in state.blocked)
        )
        self._show_items()

    # -- items ------------------------------------------------------------------------------------
    def _show_items(self) -> None:
        try:
            plan = self.in_hand.plan()
        except Exception as exc:
            self.station.bar.show_exception(exc)
            return
        ready = plan.complete and plan.eligible
        self.items_box.setEnabled(ready)
        self.next.setEnabled(ready)
        self._show_item_boxes(plan)
        self.notices.setText(
            "\n".join(
                [
                    *(route.text for route in plan.routes),
                    *plan.notices,
                    *(f"不能办理“{e.name}”：{e.reason} 请先：{e.advice}" for e in plan.excluded),
                ]
            )
        )
        if ready:
            to_submit = sum(1 for m in plan.materials if m.to_submit)
            self.summary.setText(
                f"共 {len(plan.items)} 个事项，{plan.promise.words}"
                f"（{plan.promise.basis_words.removeprefix('依据：').rstrip('。')}）；"
                f"需提交材料 {to_submit} 份，申请表 {len(plan.fields)} 项。"
            )
        else:
            left = len(plan.pending_questions)
            self.summary.setText(f"还有 {left} 个问题待回答。" if left else "")

    def _show_item_boxes(self, plan: Plan) -> None:
        applicable: list[tuple[str, str, str, str]] = [
            (i.id, i.name, i.chosen, i.reason) for i in plan.items
        ]
        applicable += [(s.id, s.name, "", s.reason) for s in plan.not_chosen]
        order = (
            {item.id: n for n, item in enumerate(self.in_hand.scenario.items)}
            if (self.in_hand.scenario)
            else {}
        )
        applicable.sort(key=lambda entry: order.get(entry[0], 0))
        wanted = [entry[0] for entry in applicable]
        if list(self.item_boxes) != wanted:
            for box in self.item_boxes.values():
                self.items_layout.removeWidget(box)
                box.deleteLater()
            self.item_boxes = {}
            for item_id, name, _, _ in applicable:
                box = QCheckBox(name)
                box.setObjectName(f"item_{item_id}")
                box.toggled.connect(self._items_changed)
                self.items_layout.addWidget(box)
                self.item_boxes[item_id] = box
        for item_id, _, chosen, reason in applicable:
            box = self.item_boxes[item_id]
            box.blockSignals(True)
            box.setChecked(bool(chosen))
            box.setEnabled(chosen != "mandatory")
            box.setToolTip(reason)
            box.blockSignals(False)

    def _items_changed(self) -> None:
        chosen = [item for item, box in self.item_boxes.items() if box.isChecked()]
        if not chosen:
            self.station.bar.error("至少要办理一个事项。不办理时请按 Ctrl+N 开始新的办件。")
            self._show_items()
            return
        try:
            self.in_hand.choose_items(chosen)
        except Exception as exc:
            self.station.bar.show_exception(exc)
        self._show_items()

    # -- saving -----------------------------------------------------------------------------------
    def confirm(self) -> None:
        """Save the draft (from now on it survives a crash) and go on to the form."""
        self.next.setEnabled(False)

        def saved(case: CaseView) -> None:
            self.next.setEnabled(True)
            self.done.emit()
            self.station.bar.info(f"已保存为草稿：{case.receipt_no}（中途关闭也不会丢失）")

        def failed(exc: BaseException) -> None:
            self.next.setEnabled(True)
            self.station.bar.show_exception(exc)

        self.station.work.run(self.in_hand.open, done=saved, failed=failed, label="保存草稿")
