"""No personal data in logs: a real request for a person's shared data (the ID number is in the
URL) through the client and the reference platform, logged to a file at INFO, leaves the number
masked — as does uvicorn's access log and an unexpected error's traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from uvicorn.logging import AccessFormatter

from app.db.engine import make_engine
from app.errors import InvalidInput
from app.logs import PersonalDataFilter, mask_handlers, setup_logging
from app.widgets.tasks import _log_only
from counter.ui.notify import MessageBar
from sync.client import HttpPlatform
from tests.sync.conftest import Served

NUMBER = "43010419920315204X"
PHONE = "13912345678"
CODE = "91350100M000100Y43"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    path = setup_logging(tmp_path / "log")
    yield path
    for handler in root.handlers:
        if handler not in before:
            handler.close()
            root.removeHandler(handler)
    root.setLevel(level)


def flushed(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_a_request_with_an_id_number_leaves_it_masked(served: Served, log_file: Path) -> None:
    with closing(HttpPlatform(served.platform.url, served.token, timeout_s=5)) as platform:
        platform.facts(NUMBER)
    text = flushed(log_file)
    assert "/persons/4301**********204X/facts" in text  # httpx's INFO line, masked
    assert NUMBER not in text


def test_uvicorn_access_lines_keep_their_shape(tmp_path: Path) -> None:
    """uvicorn's access formatter reads the record's arguments one by one."""
    access = logging.getLogger("uvicorn.access")
    handler = logging.FileHandler(tmp_path / "access.log", encoding="utf-8")
    handler.setFormatter(
        AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False)
    )
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        mask_handlers("uvicorn.access")
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            f"/api/v1/persons/{NUMBER}/facts?phone={PHONE}",
            "1.1",
            200,
        )
    finally:
        access.setLevel(level)
        access.removeHandler(handler)
        handler.close()
    line = (tmp_path / "access.log").read_text(encoding="utf-8")
    assert line.startswith('127.0.0.1:5000 - "GET /api/v1/persons/4301**********204X/facts')
    assert "139****5678" in line and line.rstrip().endswith("200 OK")
    assert NUMBER not in line and PHONE not in line


def test_a_traceback_quoting_numbers_is_masked(log_file: Path) -> None:
    try:
        raise ValueError(f"no person {NUMBER}, company {CODE}, phone {PHONE}")
    except ValueError:
        logging.getLogger("app.test").exception("lookup of %s failed", NUMBER)
    text = flushed(log_file)
    assert NUMBER not in text and CODE not in text and PHONE not in text
    assert "9135**********0Y43" in text


def test_numbers_that_are_not_personal_stay() -> None:
    record = logging.LogRecord(
        "app",
        logging.INFO,
        __file__,
        1,
        "case %s took %.1f ms (%d rows)",
        ("430100001-20261123-00017", 2.5, 20260101),
        None,
    )
    PersonalDataFilter().filter(record)
    assert record.getMessage() == "case 430100001-20261123-00017 took 2.5 ms (20260101 rows)"


def test_database_errors_do_not_quote_the_values(tmp_path: Path) -> None:
    """A database error is logged (app.db.engine) and its text used to carry the row's values."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE people (id_number TEXT UNIQUE)"))
        with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
            for _ in range(2):
                connection.execute(text("INSERT INTO people VALUES (:n)"), {"n": NUMBER})
    finally:
        engine.dispose()
    assert NUMBER not in str(caught.value)


def test_errors_shown_to_people_are_logged_without_their_names(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A Chinese error names the applicant (平台电子证照库中没有申请人 张三 的…): names cannot be
    recognised in a log line, so the call sites log the kind of error, not its text."""
    error = InvalidInput("平台电子证照库中没有申请人 欧阳娜娜 的居民户口簿，不能免提交。")
    bar = MessageBar()
    qtbot.addWidget(bar)
    with caplog.at_level(logging.INFO):
        bar.show_exception(error)
        _log_only(error)
    assert "InvalidInput" in caplog.text and "欧阳娜娜" not in caplog.text
    assert "欧阳娜娜" in bar.text()  # the clerk still reads it
