"""``onestop catalog import`` as a hall's catalog maintainer uses it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.catalog.base_files import area_code
from app.catalog.guide_codes import BOOKKEEPING
from app.cli.main import main

GUIDES = Path(__file__).resolve().parents[1] / "fixtures" / "guides"
CITY = GUIDES / "43PCN0009-430101000000.json"
FURONG = GUIDES / "43PCN0009-430102999000.json"
RETIREMENT = GUIDES / "43PCN0013-430101000000.json"  # a raw copy: bookkeeping keys kept
SUMMARY = "平台内部标识/时间戳，未导入："


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_writes_one_base_per_guide_and_reports_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    guides = sorted(str(p) for p in GUIDES.glob("*.json"))
    code, out, err = run(capsys, "catalog", "import", *guides, "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{p.name[:9]}-{area_code(p.name[10:22])}.base.yaml" for p in GUIDES.glob("*.json")
    )
    assert len(guides) == 15
    assert "已导入：事项 7 项，材料 14 项，受理条件 4 项，常见问题 6 项" in out
    assert "已导入：事项 12 项，材料 10 项，受理条件 15 项，常见问题 35 项" in out  # 残疾人服务
    # one summary line for each of the eleven raw guides, and no bookkeeping key listed on its own
    assert out.count(SUMMARY) == 11
    listed = [
        line.split("（")[0].strip() for line in out.splitlines() if line.startswith("    data.")
    ]
    assert listed and not [path for path in listed if path.rsplit(".", 1)[-1] in BOOKKEEPING]
    assert "data.materialList[].tgfs（14 处）：2" in out
    first = (tmp_path / "43PCN0009-430102.base.yaml").read_bytes()
    assert run(capsys, "catalog", "import", str(FURONG), "--out", str(tmp_path))[0] == 0
    assert (tmp_path / "43PCN0009-430102.base.yaml").read_bytes() == first
    assert "芙蓉区卫生健康局".encode() in first


def test_import_json_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        capsys,
        "catalog",
        "import",
        str(CITY),
        "--out",
        str(tmp_path),
        "--json",
        "--area",
        "430101000000",
    )
    assert code == 0
    (row,) = json.loads(out)["imported"]
    assert (row["theme_code"], row["area_code"], row["area_name"]) == (
        "43PCN0009",
        "430100",
        "长沙市",
    )
    assert row["counts"]["materials"] == 14
    assert {"path": "data.guidePoint[].zt", "count": 1, "values": ["0"]} in row["unmapped"]


def test_a_raw_guide_reports_its_bookkeeping_keys_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "catalog", "import", str(RETIREMENT), "--out", str(tmp_path))
    assert code == 0
    (line,) = [line for line in out.splitlines() if SUMMARY in line]
    assert line == f"  {SUMMARY}192 处（cjsj、gxsj、fjId 等 22 种键；--json 列出每种的次数）"
    code, out, _ = run(
        capsys, "catalog", "import", str(RETIREMENT), "--out", str(tmp_path), "--json"
    )
    (row,) = json.loads(out)["imported"]
    assert row["internal"]["count"] == 192
    assert sum(row["internal"]["keys"].values()) == 192 and len(row["internal"]["keys"]) == 22
    code, out, _ = run(capsys, "catalog", "import", str(CITY), "--out", str(tmp_path))
    assert SUMMARY not in out  # a curated copy has none


def test_a_guide_of_another_area_is_refused_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(
        capsys,
        "catalog",
        "import",
        str(CITY),
        str(FURONG),
        "--area",
        "430100",
        "--out",
        str(tmp_path),
    )
    assert code == 1 and out == ""
    assert "芙蓉区（430102）" in err and "--area" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"not json", "不是 JSON"), (b'{"code": 1, "msg": "x"}', "不是 0"), (None, "找不到指南文件")],
)
def test_bad_guides_give_a_chinese_message_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, words: str
) -> None:
    guide = tmp_path / "bad.json"
    if content is not None:
        guide.write_bytes(content)
    shutil.copy(CITY, tmp_path / "good.json")
    code, _, err = run(
        capsys,
        "catalog",
        "import",
        str(tmp_path / "good.json"),
        str(guide),
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 1
    assert "bad.json" in err and words in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_two_guides_for_one_base_file_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "catalog", "import", str(CITY), str(CITY), "--out", str(tmp_path))
    assert code == 1 and "同一个文件" in err
