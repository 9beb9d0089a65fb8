"""The hall manager's reports (GB/T 45836 §8.1): choose a report, a period and a grouping, and read
the figures at a glance — a line of totals, bar charts, the table the exports hold — then export
it as Excel or PDF. The reports are made and the files written on the work lane; what to draw is
decided by :mod:`counter.ui.report_charts`, this module only draws it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.errors import InvalidInput
from app.reports import export
from app.reports.figures import Period, Report, Table
from app.widgets.rows import RowsModel, read_only_table
from counter.ui.report_charts import (
    GROUPS,
    QUICK_PERIODS,
    REPORTS,
    Chart,
    Picture,
    axis_scale,
    hall_today,
    make_report,
    picture,
)
from counter.ui.station import Screen, Station
from printing.a4 import Letterhead
from printing.reports import to_pdf

AskPath = Callable[[str, str, str], str]  # caption, suggested file, filter → chosen path ("": none)
TITLE = "font-size:16px; font-weight:bold;"
HEADLINE = "font-size:14px; background:#f3f6fa; padding:6px 10px; border-radius:4px;"
EMPTY = "font-size:18px; color:#555;"
NOTE = "color:#666;"
LABEL = "#212121"


class ReportModel(RowsModel[list[str]]):
    """A report's table as the exports show it: the codes left out, numbers to the right, the
    合计 row in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.numeric: list[bool] = []

    def show_table(self, table: Table) -> None:
        columns, rows = export.shown(table)
        self.beginResetModel()
        self.headers = tuple(c.label for c in columns)
        self.numeric = [c.kind not in ("text", "key") for c in columns]
        self.rows = rows
        self.endResetModel()

    def cell(self, row: list[str], column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return row[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and self.numeric[column]:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.FontRole and row[0] == "合计":
            font = QFont()
            font.setBold(True)
            return font
        return None


def chart_view(chart: Chart) -> QChartView:
    """Horizontal bars, so that Chinese names read across on the left; each value written
    after its bar, or inside its segment when stacked."""
    series: QAbstractBarSeries = (
        QHorizontalStackedBarSeries() if chart.stacked else QHorizontalBarSeries()
    )
    for data in chart.series:
        bars = QBarSet(data.name)
        bars.append(list(reversed(data.values)))  # QtCharts draws the first category lowest
        bars.setColor(QColor(data.colour))
        bars.setBorderColor(QColor(data.colour))
        bars.setLabelColor(QColor(_label_colour(data.colour, chart.stacked)))
        series.append(bars)
    series.setBarWidth(0.8)
    series.setLabelsVisible(True)  # QtCharts leaves out the labels of zeros
    series.setLabelsPosition(
        QAbstractBarSeries.LabelsPosition.LabelsCenter
        if chart.stacked
        else QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd
    )
    series.setLabelsFormat("@value")
    series.hovered.connect(_tooltip)
    view_chart = QChart()
    view_chart.setTitle(chart.title)
    title_font = QFont(view_chart.titleFont())
    title_font.setPointSizeF(title_font.pointSizeF() + 2)
    title_font.setBold(True)
    view_chart.setTitleFont(title_font)
    view_chart.addSeries(series)
    view_chart.setMargins(QMargins(4, 4, 4, 4))
    groups = QBarCategoryAxis()
    groups.append(list(reversed(chart.categories)))
    view_chart.addAxis(groups, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(groups)
    values = QValueAxis()
    biggest = max(
        (sum(v) for v in zip(*(s.values for s in chart.series), strict=True))
        if chart.stacked
        else (v for s in chart.series for v in s.values),
        default=0.0,
    )
    top, step = axis_scale(biggest)
    values.setRange(0, top)
    values.setTickType(QValueAxis.TickType.TicksDynamic)
    values.setTickAnchor(0)
    values.setTickInterval(step)
    values.setLabelFormat("%g")
    values.setTitleText(chart.unit)
    view_chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(values)
    view_chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    view = QChartView(view_chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return view


def _label_colour(bar: str, inside: bool) -> str:
    """Dark beside a bar and on a light one, white on a dark one."""
    colour = QColor(bar)
    luma = 0.299 * colour.redF() + 0.587 * colour.greenF() + 0.114 * colour.blueF()
    return "#ffffff" if inside and luma < 0.5 else LABEL


def _tooltip(status: bool, index: int, bars: QBarSet) -> None:
    if status:
        QToolTip.showText(QCursor.pos(), f"{bars.label()}：{bars.at(index):g}")
    else:
        QToolTip.hideText()


def write_file(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(
            f"无法写入 {path}：{exc.strerror}。", hint="请换一个文件夹或文件名再导出。"
        ) from None


class ReportsScreen(Screen):
    """``shown`` when a report is on the screen, ``exported`` with the file's path when written."""

    title = "统计报表"
    shown = Signal()
    exported = Signal(str)

    def __init__(
        self,
        station: Station,
        parent: QWidget | None = None,
        *,
        ask_path: AskPath | None = None,
        today: Callable[[], date] = hall_today,
    ) -> None:
        super().__init__(station, parent)
        self.ask_path = ask_path or self._ask_path
        self.today = today
        self.report: Report | None = None
        self.picture: Picture | None = None
        self.charts: list[QChartView] = []
        self._lay_out()
        self.choose_report("period")
        self.quick("本月")

    def _lay_out(self) -> None:
        controls = self._controls()
        self.heading = self._label("report_heading", TITLE)
        self.headline = self._label("report_headline", HEADLINE)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = self._label("report_empty", EMPTY)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = self._label("report_note", NOTE)
        self.chart_row = QHBoxLayout()
        self.chart_row.setContentsMargins(0, 0, 0, 0)
        chart_area = QWidget()
        chart_area.setLayout(self.chart_row)
        self.graphics = QStackedWidget()
        self.graphics.addWidget(chart_area)
        self.graphics.addWidget(self.empty)
        self.model = ReportModel(self)
        self.table = read_only_table("report_table", self.model, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.graphics)
        split.addWidget(self.table)
        split.setSizes([3000, 2000])  # in proportion: the chart a little taller than the table
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.heading)
        layout.addWidget(self.headline)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)
        self._show_nothing("请选择报表和统计期间，然后点“生成”。")

    def _controls(self) -> QHBoxLayout:
        self.report_choice = QComboBox()
        self.report_choice.setObjectName("report_choice")
        for key, label in REPORTS.items():
            self.report_choice.addItem(label, key)
        self.report_choice.currentIndexChanged.connect(self._report_changed)
        self.group_choice = QComboBox()
        self.group_choice.setObjectName("group_choice")
        self.first = self._date_edit("first_day")
        self.last = self._date_edit("last_day")
        controls = QHBoxLayout()
        for widget in (
            QLabel("报表"),
            self.report_choice,
            QLabel("分组"),
            self.group_choice,
            QLabel("　从"),
            self.first,
            QLabel("至"),
            self.last,
        ):
            controls.addWidget(widget)
        for name in QUICK_PERIODS:
            button = QPushButton(name)
            button.clicked.connect(lambda _=False, name=name: self.quick(name))
            controls.addWidget(button)
        controls.addSpacing(12)
        self.generate_button = self._button("生成", "generate", self.generate, controls)
        self.generate_button.setDefault(True)
        controls.addStretch(1)
        self.xlsx_button = self._button("导出 Excel", "export_xlsx", self.export_xlsx, controls)
        self.pdf_button = self._button("导出 PDF", "export_pdf", self.export_pdf, controls)
        return controls

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _button(
        self, text: str, name: str, slot: Callable[[], None], row: QHBoxLayout
    ) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def _label(self, name: str, style: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet(style)
        return label

    def enter(self) -> None:
        """The first time the screen comes to the front, this month's figures."""
        if self.report is None:
            self.generate()

    def choose_report(self, name: str, by: str = "") -> None:
        self.report_choice.setCurrentIndex(self.report_choice.findData(name))
        self._report_changed()
        if by:
            self.group_choice.setCurrentIndex(self.group_choice.findData(by))

    def _report_changed(self) -> None:
        groups = GROUPS[str(self.report_choice.currentData())]
        current = self.group_choice.currentData()
        self.group_choice.clear()
        for key, label in groups.items():
            self.group_choice.addItem(label, key)
        self.group_choice.setCurrentIndex(max(0, self.group_choice.findData(current)))
        self.group_choice.setEnabled(len(groups) > 1)

    def set_period(self, first: date, last: date) -> None:
        self.first.setDate(QDate(first.year, first.month, first.day))
        self.last.setDate(QDate(last.year, last.month, last.day))

    def quick(self, name: str) -> None:
        self.set_period(*QUICK_PERIODS[name](self.today()))

    def period(self) -> Period:
        first, last = self.first.date(), self.last.date()
        return Period(
            date(first.year(), first.month(), first.day()),
            date(last.year(), last.month(), last.day()),
        )

    def generate(self) -> None:
        try:
            period = self.period()
        except InvalidInput as exc:
            self.station.bar.show_exception(exc)
            return
        name = str(self.report_choice.currentData())
        by = str(self.group_choice.currentData())
        core = self.station.session.core
        self.station.work.run(
            lambda: self._made(make_report(core, name, period, by)),
            done=self._show,
            label=f"生成{REPORTS[name]}",
        )

    @staticmethod
    def _made(report: Report) -> tuple[Report, Picture]:
        return report, picture(report)

    def _show(self, made: tuple[Report, Picture]) -> None:
        report, shown_picture = made
        self.report, self.picture = report, shown_picture
        table = report.table()
        self.heading.setText(f"{table.title}　{table.period.label}")
        self.model.show_table(table)
        # every column as wide as its figures (a reset forgets read_only_table's stretch)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._clear_charts()
        if shown_picture.empty:
            self._show_nothing(shown_picture.empty)
        else:
            self.headline.setText(shown_picture.headline)
            self.headline.setVisible(True)
            for chart in shown_picture.charts:
                view = chart_view(chart)
                self.charts.append(view)
                self.chart_row.addWidget(view)
            self.graphics.setCurrentIndex(0)
        self.note.setText(shown_picture.note)
        self.note.setVisible(bool(shown_picture.note))
        self.xlsx_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.shown.emit()

    def _show_nothing(self, text: str) -> None:
        self.empty.setText(text)
        self.graphics.setCurrentIndex(1)
        self.headline.setVisible(False)
        self.note.setVisible(False)
        self.xlsx_button.setEnabled(self.report is not None)
        self.pdf_button.setEnabled(self.report is not None)

    def _clear_charts(self) -> None:
        for view in self.charts:
            self.chart_row.removeWidget(view)
            view.deleteLater()
        self.charts = []

    def export_xlsx(self) -> None:
        self._export("导出 Excel", "xlsx", "Excel 工作簿 (*.xlsx)", export.to_xlsx)

    def export_pdf(self) -> None:
        settings = self.station.session.core.settings
        self._export(
            "导出 PDF",
            "pdf",
            "PDF 文件 (*.pdf)",
            lambda report: to_pdf(report, Letterhead.of(settings)),
        )

    def _export(
        self, caption: str, suffix: str, kinds: str, render: Callable[[Report], bytes]
    ) -> None:
        report = self.report
        if report is None:
            self.station.bar.error("还没有生成报表。请先点“生成”，再导出。")
            return
        table = report.table()
        suggested = f"{table.title}_{table.period.first:%Y%m%d}-{table.period.last:%Y%m%d}"
        chosen = self.ask_path(caption, str(Path.home() / f"{suggested}.{suffix}"), kinds)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != f".{suffix}":
            path = path.with_name(f"{path.name}.{suffix}")
        self.station.work.run(
            lambda: write_file(path, render(report)),
            done=lambda _: self._exported(path),
            label=caption,
        )

    def _exported(self, path: Path) -> None:
        self.station.bar.info(f"已导出 {path}。")
        self.exported.emit(str(path))

    def _ask_path(self, caption: str, suggested: str, kinds: str) -> str:
        return QFileDialog.getSaveFileName(self, caption, suggested, kinds)[0]
