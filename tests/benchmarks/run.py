"""Run a benchmark and print its figures: ``python tests/benchmarks/run.py NAME [--json] [--quick]``.

Speed targets live here, not in timed tests that flake on a busy machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

BENCHMARKS = (
    "guide",
    "cases",
    "sync",
    "printing",
    "counter",
    "kiosk",
    "backoffice",
    "devices",
    "signin",
    "hall",
)


def main() -> int:
    parser = argparse.ArgumentParser(description="OneStop benchmarks")
    parser.add_argument("name", choices=BENCHMARKS)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--quick", action="store_true", help="few rounds, for a smoke test")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    module = importlib.import_module(f"tests.benchmarks.{args.name}")
    result = module.run(quick=args.quick)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"{result['benchmark']}:")
        for key, value in result["figures"].items():
            mark = "✓" if result["met"].get(key, True) else "✗"
            print(f"  {mark} {key} = {value}  (goal {result['goals'].get(key, '-')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
