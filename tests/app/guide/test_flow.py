from __future__ import annotations

from app.guide.flow import critical_path, find_cycle, stages

NEEDS = {"a": (), "b": ("a",), "c": ("a",), "d": ("b", "c"), "e": ()}
DAYS = {"a": 5, "b": 10, "c": 2, "d": 1, "e": 30}


def test_stages_are_serial_groups_of_parallel_items() -> None:
    assert stages("abcde", NEEDS) == [["a", "e"], ["b", "c"], ["d"]]


def test_items_not_chosen_do_not_hold_back_others() -> None:
    assert stages("bd", NEEDS) == [["b"], ["d"]]


def test_critical_path() -> None:
    assert critical_path("abcd", NEEDS, DAYS) == (16, ["a", "b", "d"])
    assert critical_path("abcde", NEEDS, DAYS) == (30, ["e"])
    assert critical_path("", NEEDS, DAYS) == (0, [])


def test_cycles_are_found() -> None:
    assert find_cycle(NEEDS) is None
    cycle = find_cycle({"a": ("c",), "b": ("a",), "c": ("b",)})
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 4
