"""Settings: defaults without a file, a hall's TOML, and clear Chinese errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import SettingsError
from app.settings import Settings, load_settings


def test_defaults_put_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'onestop.sqlite3'}"
    assert settings.files_dir == tmp_path / "files"


def test_a_hall_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[hall]\ncode = "430100002"\nname = "岳麓区政务服务中心"\n'
        '[database]\nurl = "postgresql+psycopg://onestop@10.0.0.5/hall"\n'
        "[calendar]\nholidays = [2027-01-01]\n",
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.hall.code == "430100002"
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.calendar.holidays[0].year == 2027


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[hall\ncode=1", "格式不对"),
        ('[hall]\ncode = "x y"', "hall.code"),
        ("[nosuch]\na = 1", "nosuch"),
    ],
)
def test_bad_files_get_a_chinese_message(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=expected) as caught:
        load_settings(path)
    assert "设置文件" in caught.value.message


def test_a_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="找不到"):
        load_settings(tmp_path / "missing.toml")
