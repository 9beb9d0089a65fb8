"""The settings file as a hall's IT staff write it, right or wrong: every refusal is a Chinese
:class:`SettingsError` naming the setting — pydantic's English never leaks. ``data_dir = ""`` is
refused, and ``ONESTOP_DATA_DIR`` overrides the file's data folder."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from app.errors import SettingsError
from app.settings import DATA_DIR_ENV, Settings, load_settings
from app.validation_zh import has_chinese

# pydantic's English, as it appeared in 1,113 of 2,000 fuzzed files before
ENGLISH = re.compile(
    r"Input should|Field required|Extra inputs|should be|must be|Value error|"
    r"valid |Unable to|String should|Invalid|unexpected|Expected|at line"
)


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        kind = info.annotation
        out[name] = (
            _fields(kind) if isinstance(kind, type) and issubclass(kind, BaseModel) else None
        )
    return out


SHAPE = _fields(Settings)
scalars = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.booleans()
    | st.text(max_size=12)
    | st.dates()
    | st.datetimes()
    | st.times()
    | st.sampled_from(
        [
            "",
            "none",
            "usb",
            "raster",
            "courier",
            "counter",
            "430100001",
            "scrypt$ab$cd",
            "/tmp/x",
            "~/onestop",
            "2027-01-01",
        ]
    )
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=2)
    ),
    max_leaves=5,
)


@st.composite
def settings_documents(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for section in draw(st.lists(st.sampled_from([*SHAPE, "nosuch"]), max_size=4, unique=True)):
        shape = SHAPE.get(section)
        if shape is None:
            document[section] = draw(values)
            continue
        keys = st.sampled_from([*shape, "typo"])
        table: dict[str, Any] = {}
        for key in draw(st.lists(keys, max_size=4, unique=True)):
            table[key] = (
                draw(values)
                if shape.get(key) is None
                else draw(st.dictionaries(st.sampled_from([*shape[key], "x"]), values, max_size=2))
            )
        document[section] = table if draw(st.booleans()) else draw(values)
    return document


def _dump(document: dict[str, Any]) -> str:
    try:
        return tomlkit.dumps(document)
    except (ValueError, TypeError):  # a value TOML cannot hold (e.g. a datetime with tzinfo)
        return ""


def assert_chinese(exc: SettingsError) -> None:
    message = exc.message
    assert has_chinese(message)
    assert not ENGLISH.search(message), message
    _, _, problems = message.partition("有错：")
    for problem in filter(None, re.split(r"；(?=[^；：]*：)", problems.rstrip("。"))):
        where, _, said = problem.partition("：")
        assert has_chinese(said), problem


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=settings_documents(), junk=st.text(max_size=30))
@example(document={"data_dir": ""}, junk="")
@example(document={"kiosk": {"idle_s": "一分钟"}}, junk="")
@example(document={"hall": []}, junk="")
def test_fuzzed_files_load_or_say_in_chinese(
    tmp_path: Path, document: dict[str, Any], junk: str
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(_dump(document) + junk, encoding="utf-8")
    try:
        load_settings(path)
    except SettingsError as exc:
        assert_chinese(exc)


@pytest.mark.parametrize(
    "text",
    [
        "[hall\ncode=1",
        "data_dir = \n",
        'name = "a"\nname = "b"\n',
        "[kiosk]\nidle_s = 1\n",
        "[printing.ticket]\npaper_mm = 70\n",
        "[calendar]\nholidays = [1]\n",
        'hall = "x"\n',
    ],
)
def test_common_mistakes_are_told_in_chinese(tmp_path: Path, text: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert_chinese(caught.value)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes('[hall]\nname = "长沙"\n'.encode("gbk"))
    with pytest.raises(SettingsError, match="第2行不是 UTF-8"):
        load_settings(path)


def test_an_empty_data_dir_is_refused(tmp_path: Path) -> None:
    """Path("") is the current folder: the database would land wherever the program started."""
    path = tmp_path / "settings.toml"
    path.write_text('data_dir = ""\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="data_dir：不能为空"):
        load_settings(path)


def test_the_environment_overrides_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f'data_dir = "{tmp_path / "from-file"}"\n', encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "from-env"))
    assert load_settings(path).data_dir == tmp_path / "from-env"
    assert load_settings(path).database_url.endswith("from-env/onestop.sqlite3")
    monkeypatch.setenv("ONESTOP_SETTINGS", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("ONESTOP_SETTINGS")
    assert load_settings().data_dir == tmp_path / "from-env"  # no file at all
    monkeypatch.setenv(DATA_DIR_ENV, "")
    with pytest.raises(SettingsError, match=f"环境变量 {DATA_DIR_ENV}.*data_dir：不能为空"):
        load_settings(path)


def test_dates_and_times_are_not_english(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        tomlkit.dumps(
            {"calendar": {"holidays": [time(8, 30), datetime(2027, 1, 1, 8), date(2027, 1, 1)]}}
        ),
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert_chinese(caught.value)
