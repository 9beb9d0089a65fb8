"""A catalog maintainer's round: import, adopt a typed scenario, re-import a newer guide and see
what changed and which overlay entries must move; compare two areas of one theme."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml

from app.catalog.adopt import adopt
from app.catalog.base import BaseScenario
from app.catalog.loader import builtin_catalog_dir
from app.catalog.models import Scenario
from app.catalog.overlay import Overlay, compose
from app.cli.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GUIDES = FIXTURES / "guides"
TYPED = FIXTURES / "typed_scenarios"
CITY = GUIDES / "43PCN0009-430101000000.json"
FURONG = GUIDES / "43PCN0009-430102999000.json"
PAIRS = [
    ("43PCN0009-xinshengerchusheng.yaml", "43PCN0009-430101000000.json"),
    ("43TCN0003-kaibancanyindian.yaml", "43TCN0003-430101000000.json"),
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def catalog_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    shutil.copy(builtin_catalog_dir() / "_catalog.yaml", folder)
    return folder


@pytest.mark.parametrize(("typed", "guide"), PAIRS)
def test_adopting_a_typed_scenario_gives_it_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, typed: str, guide: str
) -> None:
    folder = catalog_folder(tmp_path)
    assert run(capsys, "catalog", "import", str(GUIDES / guide), "--out", str(folder))[0] == 0
    (base_path,) = folder.glob("*.base.yaml")
    code, out, _ = run(capsys, "catalog", "adopt", str(TYPED / typed), str(base_path))
    assert code == 0
    assert "与指南不同、由叠加文件改写的值" in out
    code, out, _ = run(capsys, "catalog", "check", str(folder))
    assert code == 0, out
    assert "0 个错误" in out

    base = BaseScenario.model_validate(yaml.safe_load(base_path.read_text(encoding="utf-8")))
    overlay_path = base_path.with_name(base_path.name.replace(".base.", ".overlay."))
    overlay = Overlay.model_validate(yaml.safe_load(overlay_path.read_text(encoding="utf-8")))
    composed = Scenario.model_validate(compose(base, overlay).data).model_dump()
    original = Scenario.model_validate(
        yaml.safe_load((TYPED / typed).read_text(encoding="utf-8"))
    ).model_dump()
    for part in ("items", "materials", "faq"):  # the guide's order, not the typed file's
        composed[part] = sorted(composed[part], key=str)
        original[part] = sorted(original[part], key=str)
    assert composed == original


def test_adopt_lists_each_difference_from_the_guide() -> None:
    typed = Scenario.model_validate(
        yaml.safe_load((TYPED / PAIRS[0][0]).read_text(encoding="utf-8"))
    )
    from app.catalog.importer import import_guide

    base = import_guide(CITY.read_bytes(), "city.json").base
    result = adopt(typed, base, "43PCN0009-430100.base.yaml")
    assert "materials.fumushenfenzheng.source: government → applicant" in result.overrides
    assert result.extras == [
        "材料 power_of_attorney（新生儿母亲委托父亲办理《出生医学证明》授权委托书）",
        "材料 birth_medical_certificate（出生医学证明）",
    ]
    assert result.unmatched_guide == []


def test_reimport_says_what_changed_and_which_overlay_entries_must_move(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = catalog_folder(tmp_path)
    run(capsys, "catalog", "import", str(CITY), "--out", str(folder))
    run(
        capsys,
        "catalog",
        "adopt",
        str(TYPED / PAIRS[0][0]),
        str(folder / "43PCN0009-430100.base.yaml"),
    )
    code, out, _ = run(capsys, "catalog", "import", str(CITY), "--out", str(folder))
    assert "指南与上次导入的相同，没有变化。" in out

    newer = json.loads(CITY.read_bytes())
    data = newer["data"]
    diagnosis = next(m for m in data["materialList"] if m["clmc"] == "诊断证明")
    diagnosis["clmc"] = "疾病诊断证明"
    added = copy.deepcopy(diagnosis)
    added["clmc"] = "出院记录"
    data["materialList"].append(added)
    guide = tmp_path / "newer.json"
    guide.write_text(json.dumps(newer, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "catalog", "import", str(guide), "--out", str(folder))
    assert code == 0, err
    assert "与上次导入相比（2 处变化）" in out
    assert (
        "材料改名：“诊断证明” → “疾病诊断证明”（键 zhenduanzhengming → jibingzhenduanzhengming）"
        in out
    )
    assert "叠加文件 43PCN0009-430100.overlay.yaml 需要修改（3 处）" in out
    assert "叠加文件引用的材料键“zhenduanzhengming”在指南中不存在" in out
    assert "指南中的材料“出院记录”（键 chuyuanjilu）在叠加文件中没有对应条目" in out

    code, out, err = run(capsys, "catalog", "check", str(folder))
    assert code != 0
    assert "E-OVERLAY-DANGLING" in err and "W-OVERLAY-UNREVIEWED" in out

    code, out, _ = run(capsys, "catalog", "import", str(guide), "--out", str(folder), "--json")
    (row,) = json.loads(out)["imported"]
    assert row["changes"] == []  # the same guide again
    assert any("需要修改" in line for line in row["overlay"])


def test_diff_of_two_areas(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "catalog", "diff", str(CITY), str(FURONG))
    assert code == 0
    assert out.splitlines()[0] == "新生儿出生一件事：长沙市（430100） → 芙蓉区（430102）"
    assert "  牵头部门：长沙市卫生健康委员会 → 芙蓉区卫生健康局" in out
    run(capsys, "catalog", "import", str(FURONG), "--out", str(tmp_path))
    code, out, _ = run(
        capsys, "catalog", "diff", str(CITY), str(tmp_path / "43PCN0009-430102.base.yaml"), "--json"
    )
    assert len(json.loads(out)["changes"]) == 5


def test_diff_refuses_two_themes_and_a_broken_file_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "catalog", "diff", str(CITY), str(GUIDES / "43TCN0003-430101000000.json")
    )
    assert code != 0 and "两份指南不是同一个一件事" in err
    broken = tmp_path / "x.base.yaml"
    broken.write_text("header: [", encoding="utf-8")
    code, _, err = run(capsys, "catalog", "diff", str(CITY), str(broken))
    assert code != 0 and "无法读取" in err and "Traceback" not in err
    broken.write_text("header: {}", encoding="utf-8")
    code, _, err = run(capsys, "catalog", "diff", str(CITY), str(broken))
    assert code != 0 and "不是基础事项文件" in err
