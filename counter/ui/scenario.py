"""Step 2 — which 一件事: typed search (Chinese name, pinyin, initials, item codes) or browsing by
life stage; Enter takes the first match, Up/Down choose another."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.in_hand import LicenceLook
from app.catalog.models import ENTERPRISE_STAGES, PERSONAL_STAGES
from counter.ui.station import Screen, Station

Index = QModelIndex | QPersistentModelIndex
ALL = "全部"


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    detail: str  # life stage, lead department, why it matched


class ChoiceModel(QAbstractListModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices: list[Choice] = []

    def set_choices(self, choices: list[Choice]) -> None:
        self.beginResetModel()
        self.choices = choices
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.choices)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.choices):
            return None
        choice = self.choices[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{choice.name}    {choice.detail}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return choice.code
        if role == Qt.ItemDataRole.UserRole:
            return choice.code
        return None


class _SearchBox(QLineEdit):
    """Up/Down move in the result list while the cursor stays in the box."""

    moved = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.moved.emit(1 if event.key() == Qt.Key.Key_Down else -1)
            return
        super().keyPressEvent(event)


class ScenarioScreen(Screen):
    title = "一件事"
    chosen = Signal()

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.search = _SearchBox()
        self.search.setObjectName("scenario_search")
        self.search.setPlaceholderText("输入名称、拼音首字母（如 xse）或事项编码")
        self.search.textChanged.connect(self.refresh)
        self.search.returnPressed.connect(self.take)
        self.search.moved.connect(self._move)
        self.stage = QComboBox()
        self.stage.setObjectName("life_stage")
        self.stage.addItem(ALL)
        self.stage.addItems([f"个人·{s}" for s in PERSONAL_STAGES])
        self.stage.addItems([f"企业·{s}" for s in ENTERPRISE_STAGES])
        self.stage.currentIndexChanged.connect(self.refresh)
        self.model = ChoiceModel(self)
        self.list = QListView()
        self.list.setObjectName("scenario_list")
        self.list.setModel(self.model)
        self.list.activated.connect(lambda _: self.take())
        self.count = QLabel("")
        self.button = QPushButton("办理选中的一件事 (Enter)")
        self.button.setObjectName("choose_scenario")
        self.button.clicked.connect(self.take)
        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(QLabel("人生阶段"))
        top.addWidget(self.stage, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.button)
        layout.addLayout(bottom)
        QShortcut(QKeySequence("F3"), self, self.search.setFocus)
        self.recent: list[str] = []  # this terminal's latest scenarios, newest first

    def enter(self) -> None:
        self.refresh()
        self.search.setFocus()
        self.search.selectAll()
        core = self.station.session.core
        terminal = core.settings.terminal.name
        self.station.work.run(
            lambda: core.queries.recent_scenarios(terminal),
            done=self._recent,
            label="最近办理的一件事",
        )

    def _recent(self, codes: list[str]) -> None:
        self.recent = [c for c in codes if c in self.in_hand.catalog.scenarios]
        if not self.search.text().strip():
            self.refresh()

    def refresh(self) -> None:
        text = self.search.text().strip()
        stage = self.stage.currentText()
        catalog = self.in_hand.catalog
        if text:
            found = self.in_hand.find(text)
            choices = [
                Choice(f.scenario.code, f.scenario.name, f"{f.scenario.life_stage}·{f.why}")
                for f in found
            ]
        else:  # what this window handled lately first, then every scenario by life stage
            scenarios = catalog.scenarios
            recent = [scenarios[c] for c in self.recent if c in scenarios]
            order = {stage: n for n, stage in enumerate((*PERSONAL_STAGES, *ENTERPRISE_STAGES))}
            rest = sorted(
                (s for s in scenarios.values() if s.code not in self.recent),
                key=lambda s: (s.audience != "personal", order.get(s.life_stage, 99), s.code),
            )
            choices = [Choice(s.code, s.name, f"最近办理·{s.life_stage}") for s in recent] + [
                Choice(s.code, s.name, f"{s.life_stage}·牵头：{s.lead_department}") for s in rest
            ]
        if stage != ALL:
            wanted = stage.split("·", 1)[1]
            codes = {s.code for s in catalog.scenarios.values() if s.life_stage == wanted}
            choices = [c for c in choices if c.code in codes]
        self.model.set_choices(choices)
        self.count.setText(f"共 {len(choices)} 个一件事" if choices else "没有找到，换个说法试试")
        if choices:
            self.list.setCurrentIndex(self.model.index(0))

    def _move(self, step: int) -> None:
        row = self.list.currentIndex().row() + step
        if 0 <= row < self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(row))

    def take(self) -> None:
        index = self.list.currentIndex()
        if not index.isValid():
            self.station.bar.error("请先在列表中选择要办理的一件事。")
            return
        code = str(self.model.data(index, Qt.ItemDataRole.UserRole))
        if self.in_hand.scenario is not None and self.in_hand.scenario.code == code:
            self.chosen.emit()  # the same one again: keep the answers given so far
            return
        case = self.in_hand.case
        if case is not None and case.state in ("draft", "pre_application"):
            self.station.bar.error(
                "这个办件已经保存，不能改办其他一件事。请按 Ctrl+N 开始新的办件。"
            )
            return
        self.in_hand.choose(code)
        self.chosen.emit()
        self.check_licences()

    def check_licences(self) -> None:
        """The applicant's e-licences for this scenario, checked with the platform off the GUI
        thread; what they spare is said on the message bar (the plan reads them)."""
        in_hand = self.in_hand
        if in_hand.licences is None or in_hand.applicant is None:
            return

        def said(look: LicenceLook) -> None:
            in_hand.use_licences(look)  # here, on the GUI thread, where the plan is read
            if look.words:
                (self.station.bar.error if look.unchecked else self.station.bar.info)(look.words)

        self.station.work.run(in_hand.look_up_licences, done=said, label="核验电子证照")
