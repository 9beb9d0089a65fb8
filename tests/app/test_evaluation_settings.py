"""The [evaluations] settings: a 差评's deadline in working days, within the local rules' 5 to 15."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import SettingsError
from app.settings import Settings, load_settings


def test_the_deadline_defaults_to_ten_working_days() -> None:
    assert Settings().evaluations.complaint_deadline_days == 10


@pytest.mark.parametrize("days", [5, 15])
def test_a_hall_sets_its_local_deadline(tmp_path: Path, days: int) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"[evaluations]\ncomplaint_deadline_days = {days}\n", encoding="utf-8")
    assert load_settings(path).evaluations.complaint_deadline_days == days


@pytest.mark.parametrize("days", [4, 16, 0])
def test_a_deadline_outside_five_to_fifteen_is_refused(tmp_path: Path, days: int) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"[evaluations]\ncomplaint_deadline_days = {days}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(path)
    assert (
        f"evaluations.complaint_deadline_days：差评处理时限应为 5 到 15 个工作日，现在是 {days}；"
        "请按本地规定改为这个范围内的天数" in str(refused.value)
    )
