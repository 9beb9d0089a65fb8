"""The command line as a script or a person uses it: JSON out, Chinese errors, no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.cli.demo import sample_card, sample_data
from app.cli.main import main
from app.identity.resident_id import parse_resident_id

FULL = {
    "within_six_months": "yes",
    "province_facility": "yes",
    "hukou": "yes",
    "marriage": "yes",
    "same_ethnicity": "yes",
    "applicant": "mother",
    "reimbursement": "no",
    "photo": "no",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


def test_catalog_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "catalog", "list", "--json")
    rows = {s["code"]: s for s in data["scenarios"]}
    assert rows["43PCN0009"]["name"] == "新生儿出生一件事"
    assert rows["43PCN0009"]["audience"] == "个人"
    assert data["version"]


def test_catalog_check_passes_on_the_builtin_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "check")
    assert code == 0
    assert "0 个错误" in out


def test_catalog_check_fails_with_file_and_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from app.catalog.loader import builtin_catalog_dir

    shutil.copy(builtin_catalog_dir() / "_catalog.yaml", tmp_path / "_catalog.yaml")
    typed = Path(__file__).parents[1] / "fixtures" / "typed_scenarios"
    text = (typed / "43PCN0009-xinshengerchusheng.yaml").read_text(encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(
        text.replace("needs: [birth_certificate]", "needs: [nothing]", 1)
    )
    code, _, err = run(capsys, "catalog", "check", str(tmp_path))
    assert code == 1
    assert "bad.yaml:" in err and "[43PCN0009] items[2].needs[0]" in err and "“nothing”" in err
    data = json.loads(run(capsys, "catalog", "check", str(tmp_path), "--json")[1])
    assert data["ok"] is False and data["errors"] == 1


def test_catalog_schema_matches_the_committed_file(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.catalog_cmd import default_schema_path

    _, out, _ = run(capsys, "catalog", "schema")
    assert out == default_schema_path().read_text(encoding="utf-8"), (
        "resources/catalog/schema.json is stale: run onestop catalog schema --output it"
    )
    assert json.loads(out)["properties"]["items"]


def test_guide_questions_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys,
        "guide",
        "questions",
        "43PCN0009",
        "--answers",
        '{"within_six_months": "yes"}',
        "--facts",
        '{"newborn.born_in_province_facility": true}',
        "--json",
    )
    assert data["next"]["id"] == "hukou"
    assert data["auto_answers"][0]["question"] == "province_facility"
    assert data["next"]["text"] == "父母一方户籍是否在本省，且为家庭户（非集体户口）？"


def test_guide_plan_json_with_items(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(FULL), encoding="utf-8")
    data = run_json(
        capsys,
        "guide",
        "plan",
        "43PCN0009",
        "--answers",
        f"@{answers}",
        "--items",
        "resident_insurance",
        "--json",
    )
    assert [i["name"] for i in data["items"]] == [
        "出生医学证明首次签发",
        "出生登记",
        "城乡居民参保登记",
    ]
    assert data["promised_days"] == 16
    assert data["complete"] is True


def test_guide_plan_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "guide", "plan", "新生儿出生一件事", "--answers", json.dumps(FULL))
    assert code == 0
    assert "一套材料" in out and "承诺 45 个工作日" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["guide", "plan", "43PCN0009", "--answers", "{hukou: yes}"],
            "--answers 不是有效的 JSON（第1行第2列",
        ),
        (["guide", "plan", "43PCN0009", "--answers", "[1]"], "--answers 应为 JSON 对象"),
        (["guide", "plan", "43PCN0009", "--answers", "@/no/such/file"], "无法读取"),
        (["guide", "plan", "XYZ"], "没有找到一件事“XYZ”"),
        (["guide", "plan", "43PCN0009", "--answers", '{"hukou": "maybe"}'], "没有选项“maybe”"),
        (["guide", "plan", "43PCN0009", "--items", "nope"], "没有事项“nope”"),
        (["id", "check", "110105194912310021"], "第18位校验码应为“X”"),
        (["id", "check", "11010519491231002X", "--on", "yesterday"], "--on 的日期"),
    ],
)
def test_mistakes_get_a_chinese_message_and_exit_1(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert expected in err
    assert "Traceback" not in err + out


def test_usage_errors_are_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["guide", "plan"])
    assert info.value.code == 2
    assert "缺少参数" in capsys.readouterr().err


def test_id_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "id", "check", "11010519491231002X", "--on", "2026-11-23", "--json")
    assert data == {
        "valid": True,
        "type": "resident",
        "number": "11010519491231002X",
        "kind": "resident",
        "kind_label": "居民身份证",
        "converted_from": None,
        "region_code": "110105",
        "region": "北京市朝阳区",
        "region_current": "北京市朝阳区",
        "province_code": "110000",
        "birth_date": "1949-12-31",
        "sex": "女",
        "age": 76,
    }
    code, out, _ = run(capsys, "id", "check", "110105194912310021", "--json")
    assert code == 1
    assert json.loads(out)["valid"] is False
    assert run_json(capsys, "id", "check", "91310115MA1K3BTP2B", "--json")["type"] == "uscc"


def test_unexpected_errors_are_logged_not_shown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli import id_cmd

    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(id_cmd, "parse_resident_id", explode)
    code, out, err = run(capsys, "id", "check", "11010519491231002X")
    assert code == 70
    assert "程序内部出错" in err and "boom" not in err and "Traceback" not in err
    log = Path(err.split("日志 ")[1].split("。")[0])
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("code", ["43PCN0009", "43PCN0013", "43PCP0008", "43TCN0003", "43TCP0014"])
def test_demo_walks_through_without_a_terminal(
    capsys: pytest.CaptureFixture[str], code: str
) -> None:
    status, out, err = run(capsys, "guide", "demo", code, "--auto")
    assert status == 0, err
    assert "模拟读取身份证" in out and "⚙ 已自动选择" in out
    assert "一套材料" in out and "⛔" not in out


def test_demo_cards_agree_with_their_numbers() -> None:
    """A simulated card whose number contradicts its sex or birth date would teach clerks wrong."""
    for name in sample_data()["cards"]:
        card = sample_card(name)
        number = parse_resident_id(card.id_number, today=date(2026, 11, 23))
        assert (number.sex, number.birth_date) == (card.sex, card.birth_date), name


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("onestop")
    result = subprocess.run(
        [str(script), "id", "check", "11010519491231002X", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sex"] == "女"


@pytest.mark.parametrize("program", ["counter", "kiosk"])
@pytest.mark.parametrize("extra", [["--settings", "hall.toml"], ["--demo"]])
def test_screenshots_refuse_what_they_would_ignore(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, program: str, extra: list[str]
) -> None:
    """The walk runs over its own demo hall: a settings file (or --demo) given with it would be
    ignored without a word, so the combination is refused with what to do, and nothing runs."""
    shots = tmp_path / "shots"
    code, _, err = run(capsys, program, "--screenshots", str(shots), *extra)
    assert code != 0 and "--screenshots 用自带的演示大厅数据走一遍界面" in err, err
    assert not shots.exists()


def test_guide_and_catalog_use_the_catalog_the_counter_uses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """After a pull, the commands and the counter agree: the newest installed catalog, unless
    --catalog names another."""
    import re
    import shutil

    from app.catalog.loader import builtin_catalog_dir
    from app.catalog.versions import CatalogStore, catalog_files, files_digest
    from app.settings import load_settings

    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'data_dir = "{tmp_path / "hall"}"\n', encoding="utf-8")
    newer = tmp_path / "newer"
    shutil.copytree(builtin_catalog_dir(), newer)
    meta = newer / "_catalog.yaml"
    meta.write_text(
        re.sub(r"(?m)^version: .*$", "version: 2099.1.1", meta.read_text("utf-8")),
        encoding="utf-8",
    )
    files = catalog_files(newer)
    CatalogStore(load_settings(settings_file).catalogs_dir).install(
        "2099.1.1", files, files_digest(files)
    )
    given = ["--settings", str(settings_file)]
    assert run_json(capsys, "catalog", "list", "--json", *given)["version"] == "2099.1.1"
    assert run_json(capsys, "catalog", "check", "--json", *given)["version"] == "2099.1.1"
    builtin = run_json(
        capsys, "catalog", "list", "--json", "--catalog", str(builtin_catalog_dir()), *given
    )
    assert builtin["version"] != "2099.1.1"
    plan = run_json(capsys, "guide", "plan", "43PCN0009", "--answers", "{}", "--json", *given)
    assert plan["catalog_version"] == "2099.1.1"
