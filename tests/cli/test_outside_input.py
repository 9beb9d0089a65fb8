"""Property-based fuzz of what comes from outside through the command line — scanned QR payloads,
ID numbers and credit codes, ``--answers``/``--facts``: only typed Chinese errors come out, never
a traceback and never exit code 70 (程序内部出错)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.cli.main import EXIT_INTERNAL, main
from app.validation_zh import has_chinese
from tests.app.catalog.test_hostile_files import ALIAS_BOMB

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩" + "०१२३४५६७८९" + "๐๑๒๓๔๕๖๗๘๙" + "০১২৩৪৫৬৭৮৯"
# An ID number as people (and scanners, and keyboards set to another script) type it.
id_like = st.text(alphabet="0123456789Xx -１２３４５６７８９０Ｘｘ" + OTHER_DIGITS, max_size=22)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse: usage errors, in Chinese (see Parser)
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def assert_typed(code: int, out: str, err: str) -> None:
    assert code != EXIT_INTERNAL, err
    assert "Traceback" not in err + out
    if code != 0:
        assert has_chinese(err + out), err + out


@FUZZ
@given(st.text(max_size=80) | st.from_regex(r"OS1:[^:]{0,20}:[^:]{0,30}", fullmatch=True))
@example("OS1:x:签名")
@example("OS1:430100001-20261123-00001:ＡＢＣ")
def test_print_verify_takes_any_payload(capsys: pytest.CaptureFixture[str], text: str) -> None:
    code, out, err = run(capsys, "print", "verify", "--", text)
    assert_typed(code, out, err)
    assert code in (0, 1, 2)
    if code == 1:
        assert "二维码" in out


@FUZZ
@given(id_like | st.text(max_size=30))
@example("11010519491231002X")
def test_id_check_takes_anything(capsys: pytest.CaptureFixture[str], text: str) -> None:
    code, out, err = run(capsys, "id", "check", "--json", "--", text)
    assert_typed(code, out, err)
    if code in (0, 1) and out:
        result = json.loads(out)
        if result["valid"]:  # what is stored and searched for is the plain number
            assert (result.get("number") or result.get("code", "")).isascii()


@pytest.mark.parametrize("digit", ["١", "१", "๑", "১"])
def test_other_scripts_digits_are_refused(capsys: pytest.CaptureFixture[str], digit: str) -> None:
    """Arabic-Indic, Devanagari, Thai, Bengali digits pass Python's isdigit(): once stored, a
    search by the real number finds nothing."""
    number = "11010519491231002X"
    typed = number[:9] + digit + number[10:]  # the 10th character, in the birth year
    code, _, err = run(capsys, "id", "check", "--type", "resident", "--", typed)
    assert code == 1 and "不是阿拉伯数字" in err, err
    code, _, err = run(capsys, "id", "check", "--type", "uscc", "--", "91350100M000100Y4" + digit)
    assert code == 1 and "不是阿拉伯数字" in err, err


def test_full_width_numbers_are_normalised(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "id", "check", "--json", "１１０１０５１９４９１２３１００２ｘ")
    assert code == 0 and json.loads(out)["number"] == "11010519491231002X"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["yes", "no", "mother", "hukou", "within_six_months"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
answer_keys = st.sampled_from(
    [
        "within_six_months",
        "province_facility",
        "hukou",
        "marriage",
        "applicant",
        "photo",
        "nosuch",
        "",
    ]
) | st.text(max_size=6)
fact_keys = st.sampled_from(["applicant.age", "hall.province", "parents.married", "x"])


@settings(FUZZ, max_examples=80)  # each example loads the catalog, as the command does
@given(
    answers=st.dictionaries(answer_keys, json_values, max_size=5).map(json.dumps)
    | st.text(max_size=30),
    facts=st.dictionaries(fact_keys, json_values, max_size=3).map(json.dumps) | st.just("{}"),
    command=st.sampled_from(["questions", "plan"]),
)
def test_guide_takes_any_answers_and_facts(
    capsys: pytest.CaptureFixture[str], answers: str, facts: str, command: str
) -> None:
    code, out, err = run(
        capsys, "guide", command, "43PCN0009", "--answers", answers, "--facts", facts, "--json"
    )
    assert_typed(code, out, err)


def test_answers_from_a_file_that_is_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes('{"hukou": "是"}'.encode("gbk"))
    code, out, err = run(capsys, "guide", "questions", "43PCN0009", "--answers", f"@{path}")
    assert_typed(code, out, err)
    assert code == 1


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=60)
    | st.sampled_from(
        ['data_dir = ""', "[hall]\ncode = 1", '[kiosk]\nidle_s = "一分钟"', "hall = []"]
    )
)
def test_settings_files_of_any_kind(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, text: str
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    code, out, err = run(capsys, "settings", "show", "--json", "--settings", str(path))
    assert_typed(code, out, err)
    if code:
        assert "Input should" not in err


@pytest.mark.parametrize(
    "text",
    [ALIAS_BOMB, "? [1, 2]\n: 3\n", "when: 2026-13-45\n", "loop: &x {a: *x}\n"],
)
def test_hostile_catalog_files_through_the_cli(
    capsys: pytest.CaptureFixture[str], make_catalog: Any, text: str
) -> None:
    folder = make_catalog(text)
    code, out, err = run(capsys, "catalog", "check", str(folder))
    assert_typed(code, out, err)
    assert code == 1
