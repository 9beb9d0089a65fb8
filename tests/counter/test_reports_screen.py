"""The managers' report screen through the real widgets on a real database: the three reports
generated for November 2026 over demo cases, their charts holding the reports' numbers (read
back from the QtCharts series), the tables, the quick periods, the exports (the same bytes as
``onestop report``) and the message for a period without cases."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QChartView,
    QHorizontalStackedBarSeries,
)
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.bootstrap import Core, build_core
from app.cases.audit import Actor
from app.cases.demo import CLERKS, seed_cases
from app.cases.receipts import HALL_TZ
from app.cases.service import CaseService
from app.reports import export
from app.reports.assistance import assistance_report
from app.reports.effectiveness import effectiveness_report
from app.reports.evaluations import evaluation_report
from app.reports.figures import Period
from app.reports.periods import PeriodRow, period_report
from app.settings import Settings
from counter.ui.report_charts import TOP, busiest, short
from counter.ui.reports import ReportsScreen
from counter.ui.station import Station
from printing.a4 import Letterhead
from printing.reports import to_pdf
from tests.helpers.cores import Cores

Settle = Callable[[], None]
MONDAY = date(2026, 11, 2)  # November 2026 has no public holiday
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
TODAY = date(2026, 11, 30)
CASES = 40
DEPARTMENT = Actor("部门", "platform")
SCREENSHOT = Path("/tmp/report_screen.png")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=HALL_TZ).astimezone(UTC)


def seed_november(core: Core) -> None:
    """40 demo cases opened on Monday 2 November; of those accepted, every fifth (the first, the
    sixth…, so that short promises are among them) stays open
    (overdue by the month's end where it promised fewer than 20 working days), the others are
    done on the 4th (on time) or the 20th (late where it promised fewer than 14), and every
    seventh gets a 差评 at completion."""
    now = [at(MONDAY)]
    service = CaseService(
        core.db,
        core.catalog,
        core.files,
        hall_code="430100001",
        calendar=core.calendar,
        clock=lambda: now[0],
    )
    seed_cases(service, core.catalog, CASES)
    for n in range(1, CASES + 1):
        receipt_no = f"430100001-{MONDAY:%Y%m%d}-{n:05d}"
        case = service.get(receipt_no)
        if case.state != "accepted" or n % 5 == 1:
            continue
        now[0] = at(date(2026, 11, 4 if n % 2 else 20))
        while case.state == "accepted":
            for item in case.items:
                if item.state == "dispatched":
                    case = service.record_item_decision(
                        DEPARTMENT, receipt_no, item.item_id, approved=True
                    )
        if n % 7 == 0:
            service.evaluate(
                CLERKS[n % 2],
                receipt_no,
                stage="complete",
                level=1 + n % 2,
                channel="qr",
                text="等候时间太长，材料要求没有一次说清",
            )


@pytest.fixture(scope="module")
def november(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of a hall with November's cases, made once and copied for each test."""
    data = tmp_path_factory.mktemp("november") / "data"
    core = build_core(Settings(data_dir=data))
    try:
        seed_november(core)
    finally:
        core.close()
    return data


@pytest.fixture
def core(cores: Cores, tmp_path: Path, november: Path) -> Core:
    data = tmp_path / "data"
    shutil.copytree(november, data)
    return cores.of(Settings(data_dir=data))


class Ask:
    """The save dialog's far side: answers with the path a test chose, records the questions."""

    def __init__(self) -> None:
        self.path = ""
        self.asked: list[tuple[str, str, str]] = []

    def __call__(self, caption: str, suggested: str, kinds: str) -> str:
        self.asked.append((caption, suggested, kinds))
        return self.path


@pytest.fixture
def ask() -> Ask:
    return Ask()


@pytest.fixture
def screen(qtbot: QtBot, station: Station, ask: Ask) -> ReportsScreen:
    screen = ReportsScreen(station, ask_path=ask, today=lambda: TODAY)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def generate(
    qtbot: QtBot, screen: ReportsScreen, name: str, by: str = "scenario", period: Period = NOVEMBER
) -> None:
    screen.choose_report(name, by)
    screen.set_period(period.first, period.last)
    with qtbot.waitSignal(screen.shown, timeout=15_000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)


def drawn(view: QChartView) -> tuple[list[str], dict[str, list[float]]]:
    """The categories top to bottom and each bar set's values in that order, as QtCharts holds
    them (it draws the first category lowest)."""
    chart = view.chart()
    (series,) = chart.series()
    assert isinstance(series, QAbstractBarSeries)
    (axis,) = chart.axes(Qt.Orientation.Vertical)
    assert isinstance(axis, QBarCategoryAxis)
    values = {
        bars.label(): [bars.at(i) for i in range(bars.count())][::-1] for bars in series.barSets()
    }
    return axis.categories()[::-1], values


def table(screen: ReportsScreen) -> list[list[str]]:
    model = screen.model
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_period_report_by_scenario_and_by_clerk(
    qtbot: QtBot, qtmodeltester: ModelTester, screen: ReportsScreen, core: Core
) -> None:
    generate(qtbot, screen, "period")
    qtmodeltester.check(screen.model)
    report = period_report(core.db, core.calendar, NOVEMBER)
    total = report.total
    assert total.accepted and total.completed_on_time and total.completed_overdue
    assert total.overdue_open and total.not_accepted
    (view,) = screen.charts
    categories, values = drawn(view)

    # the chart draws the busiest rows that have a bar to draw; the table has every row, whole
    def late(row: PeriodRow) -> int:
        return row.completed_overdue + row.overdue_open

    with_bars = [
        r for r in report.rows if r.accepted or r.completed_on_time or late(r) or r.not_accepted
    ]
    charted = busiest(with_bars, lambda r: r.accepted + r.not_accepted + late(r))
    assert len(charted) >= 2 and len(table(screen)) >= len(charted)
    assert categories == [short(row.label) for row in charted]
    assert values == {
        "受理": [row.accepted for row in charted],
        "按期办结": [row.completed_on_time for row in charted],
        "超期（办结或未办结）": [late(row) for row in charted],
        "不予受理": [row.not_accepted for row in charted],
    }
    assert view.chart().title() == "办件情况（按一件事）"
    assert view.chart().legend().isVisible()
    assert f"受理 {total.accepted} 件" in screen.headline.text()
    assert screen.heading.text() == "办件统计（按一件事）　2026年11月01日至2026年11月30日"
    rows = table(screen)
    header = [
        screen.model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(screen.model.columnCount())
    ]
    assert header[:3] == ["一件事", "预申请", "受理"]
    assert [row[0] for row in rows] == [*(r.label for r in report.rows), "合计"]
    assert rows[-1][2] == str(total.accepted)
    assert screen.empty.isHidden() and not screen.xlsx_button.isHidden()

    generate(qtbot, screen, "period", "clerk")
    by_clerk = period_report(core.db, core.calendar, NOVEMBER, by="clerk")
    categories, values = drawn(screen.charts[0])
    shown = [
        r
        for r in by_clerk.rows
        if r.accepted
        or r.not_accepted
        or r.completed_on_time
        or r.completed_overdue
        or r.overdue_open
    ]
    assert categories == [short(r.label) for r in shown]  # one with nothing to draw is left out
    assert values["受理"] == [r.accepted for r in shown]
    assert sum(values["受理"]) == total.accepted
    assert len(table(screen)) == len(by_clerk.rows) + 1


def test_effectiveness_report(qtbot: QtBot, screen: ReportsScreen, core: Core) -> None:
    generate(qtbot, screen, "effectiveness")
    assert not screen.group_choice.isEnabled()  # per scenario only
    report = effectiveness_report(core.db, core.catalog, core.calendar, NOVEMBER)
    every_done = [row for row in report.rows if row.completed]
    done = busiest(every_done, lambda r: r.completed)  # the chart: the busiest, in table order
    assert done and len(done) == min(len(every_done), TOP)
    days, materials = screen.charts
    categories, values = drawn(days)
    assert categories == [short(row.scenario_name) for row in done]
    assert values == {
        "承诺时限（改革后）": [row.after.days for row in done],
        "本期中位数": [row.days_median for row in done],
        "本期90%分位": [row.days_p90 for row in done],
    }
    categories, values = drawn(materials)
    assert categories == [short(row.scenario_name) for row in done]
    assert values["改革前"] == [row.before.materials for row in done]
    assert values["改革后"] == [row.after.materials for row in done]
    assert values["本期件均提交"] == pytest.approx([row.submitted_mean for row in done], abs=0.05)
    assert values["本期件均免提交"] == pytest.approx([row.exempt_mean for row in done], abs=0.05)
    assert days.chart().axes(Qt.Orientation.Horizontal)[0].titleText() == "工作日"
    assert f"本期办结 {sum(r.completed for r in every_done)} 件" in screen.headline.text()
    assert len(table(screen)) == 7 * len(report.rows)  # seven figures per scenario


def test_evaluations_report_by_clerk(qtbot: QtBot, screen: ReportsScreen, core: Core) -> None:
    generate(qtbot, screen, "evaluations", "clerk")
    report = evaluation_report(core.db, NOVEMBER, by="clerk")
    assert report.total.poor
    (view,) = screen.charts
    categories, values = drawn(view)
    assert categories == [f"{row.label}（差评 {row.poor / row.total:.1%}）" for row in report.rows]
    assert values == {
        label: [row.count(level) for row in report.rows]
        for level, label in (
            (5, "非常满意"),
            (4, "满意"),
            (3, "基本满意"),
            (2, "不满意"),
            (1, "非常不满意"),
        )
    }
    (series,) = view.chart().series()
    assert isinstance(series, QHorizontalStackedBarSeries)
    colours = {bars.label(): bars.color().name() for bars in series.barSets()}
    assert colours["非常满意"] == "#1b5e20" and colours["非常不满意"] == "#c62828"
    assert f"差评 {report.total.poor} 次" in screen.headline.text()
    assert table(screen)[-1][:2] == ["合计", str(report.total.count(5))]


def test_assistance_report_by_helper(qtbot: QtBot, screen: ReportsScreen, core: Core) -> None:
    clock = [at(MONDAY)]
    service = CaseService(
        core.db, core.catalog, core.files, hall_code="430100001", clock=lambda: clock[0]
    )
    first, second = (f"430100001-{MONDAY:%Y%m%d}-{n:05d}" for n in (1, 2))
    helper = CLERKS[0]
    service.assist(helper, first, mode="peitong", helper="刘洋", minutes=30)
    service.assist(helper, second, mode="bangban", helper="刘洋", minutes=10, groups=["pregnant"])
    generate(qtbot, screen, "assistance", "helper")
    report = assistance_report(core.db, NOVEMBER, by="helper")
    (view,) = screen.charts
    categories, values = drawn(view)
    assert categories == ["刘洋"] and values["陪同办"] == [1] and values["帮办"] == [1]
    assert "帮办代办 2 件（平均用时 20 分钟）" in screen.headline.text()
    assert "孕妇 1" in screen.headline.text()
    assert table(screen)[-1][:5] == ["合计", "1", "0", "1", "2"]
    assert report.total.helped == 2


def test_quick_periods(screen: ReportsScreen) -> None:
    assert screen.period() == Period(date(2026, 11, 1), TODAY)  # 本月, to today
    for name, expected in (
        ("上月", Period(date(2026, 10, 1), date(2026, 10, 31))),
        ("本年", Period(date(2026, 1, 1), TODAY)),
        ("本月", Period(date(2026, 11, 1), TODAY)),
    ):
        button = next(
            b for b in screen.findChildren(type(screen.generate_button)) if b.text() == name
        )
        button.click()
        assert screen.period() == expected


def test_exports_write_what_the_cli_writes(
    qtbot: QtBot, screen: ReportsScreen, core: Core, ask: Ask, tmp_path: Path
) -> None:
    generate(qtbot, screen, "evaluations", "channel")
    report = evaluation_report(core.db, NOVEMBER, by="channel")
    ask.path = str(tmp_path / "好差评.xlsx")
    with qtbot.waitSignal(screen.exported, timeout=15_000) as written:
        qtbot.mouseClick(screen.xlsx_button, Qt.MouseButton.LeftButton)
    assert written.args == [ask.path]
    assert Path(ask.path).read_bytes() == export.to_xlsx(report)
    assert ask.asked[0][0] == "导出 Excel" and ask.asked[0][1].endswith(
        "好差评统计（按评价渠道）_20261101-20261130.xlsx"
    )

    ask.path = str(tmp_path / "好差评")  # the suffix is added
    with qtbot.waitSignal(screen.exported, timeout=15_000):
        qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
    pdf = tmp_path / "好差评.pdf"
    assert pdf.read_bytes() == to_pdf(report, Letterhead.of(core.settings))
    assert screen.station.bar.text() == f"已导出 {pdf}。"


def test_export_cancelled_or_unwritable(
    qtbot: QtBot, screen: ReportsScreen, station: Station, ask: Ask, tmp_path: Path, settle: Settle
) -> None:
    screen.export_pdf()
    assert station.bar.kind == "error" and "请先点“生成”" in station.bar.text()
    assert not ask.asked
    generate(qtbot, screen, "period")
    ask.path = ""  # the clerk closed the dialog
    screen.export_xlsx()
    settle()
    assert list(tmp_path.glob("*.xlsx")) == []
    ask.path = str(tmp_path / "no such folder" / "报表.xlsx")
    screen.export_xlsx()
    settle()
    assert station.bar.kind == "error" and "无法写入" in station.bar.text()


def test_a_period_without_cases(qtbot: QtBot, screen: ReportsScreen) -> None:
    empty = Period(date(2025, 3, 1), date(2025, 3, 31))
    for name, message in (
        ("period", "该期间没有办件。"),
        ("effectiveness", "该期间没有办结的办件"),
        ("evaluations", "该期间没有评价。"),
    ):
        generate(qtbot, screen, name, period=empty)
        assert screen.empty.isVisible() and screen.empty.text().startswith(message)
        assert "请调整统计期间" in screen.empty.text()
        assert screen.charts == [] and screen.headline.isHidden()
        assert table(screen)  # the table still shows its zeros (合计, the catalog's figures)
    generate(qtbot, screen, "period")
    assert not screen.empty.isVisible() and screen.charts


def test_a_wrong_period_is_refused(qtbot: QtBot, screen: ReportsScreen, station: Station) -> None:
    screen.set_period(date(2026, 11, 30), date(2026, 11, 1))
    screen.generate()
    assert station.bar.kind == "error" and "早于开始日期" in station.bar.text()
    assert not station.work.busy


def test_enter_shows_this_month_once(
    qtbot: QtBot, screen: ReportsScreen, station: Station, settle: Settle
) -> None:
    with qtbot.waitSignal(screen.shown, timeout=15_000):
        screen.enter()
    assert screen.heading.text().startswith("办件统计（按一件事）")
    screen.enter()
    assert not station.work.busy  # already shown: not made again


@pytest.mark.parametrize(
    "name, by",
    [
        ("period", "scenario"),
        ("period", "item"),
        ("effectiveness", "scenario"),
        ("evaluations", "clerk"),
    ],
)
def test_screenshot(qtbot: QtBot, screen: ReportsScreen, name: str, by: str) -> None:
    """What a hall manager sees at 1280×800, saved for a look (and the README): the period
    report by scenario as /tmp/report_screen.png, the others beside it."""
    generate(qtbot, screen, name, by)
    image = screen.grab()
    assert (image.width(), image.height()) == (1280, 800)
    main = (name, by) == ("period", "scenario")
    path = SCREENSHOT if main else SCREENSHOT.with_name(f"report_screen_{name}_{by}.png")
    assert image.save(str(path))


def test_unresolved_report_by_department(qtbot: QtBot, screen: ReportsScreen, core: Core) -> None:
    from app.cases.unresolved import Unresolved

    clock = [at(MONDAY)]
    desk = Unresolved(core.db, hall_code="430100001", clock=lambda: clock[0])
    back = Actor("刘洋", "backoffice-01", "backoffice")
    first = desk.report(
        CLERKS[0], source="window", grade="urgent", what="落户办不了", name="李芳",
        phone="13800138000", department="公安部门",
    )  # fmt: skip
    desk.report(
        CLERKS[0], source="hotline", grade="ordinary", what="认证办不了", name="赵",
        phone="13707310000", department="人社部门", order_no="GD9",
    )  # fmt: skip
    desk.call_back(back, first.ref_no, reached=True, note="已联系")
    generate(qtbot, screen, "unresolved", "department")
    (view,) = screen.charts
    categories, values = drawn(view)
    assert set(categories) == {"公安部门", "人社部门"}
    assert sum(values["按时答复"]) == 1 and sum(values["超时或未答复"]) == 1
    assert "办不成事反映 2 件（紧急 1，12345 1）" in screen.headline.text()
    assert table(screen)[-1][:3] == ["合计", "2", "1"]
