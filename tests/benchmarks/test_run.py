"""The benchmark script keeps working (figures only; speed is judged by reading them, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_guide_benchmark_prints_its_figures() -> None:
    script = Path(__file__).with_name("run.py")
    result = subprocess.run(
        [sys.executable, str(script), "guide", "--json", "--quick"],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout)
    assert set(data["figures"]) == {
        "catalog_load_check_ms",
        "plan_after_change_ms",
        "id_checks_per_s",
    }
    assert all(value > 0 for value in data["figures"].values())
