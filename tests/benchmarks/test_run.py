"""The benchmark script keeps working (figures only; speed is judged by reading them, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_quick(name: str) -> Any:
    script = Path(__file__).with_name("run.py")
    result = subprocess.run(
        [sys.executable, str(script), name, "--json", "--quick"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(result.stdout)


def test_guide_benchmark_prints_its_figures() -> None:
    data = run_quick("guide")
    assert set(data["figures"]) == {
        "catalog_load_check_ms",
        "catalog_read_ms",
        "catalog_check_ms",
        "plan_after_change_ms",
        "id_checks_per_s",
        "import_ms",
        "reimport_diff_ms",
    }
    assert all(value > 0 for value in data["figures"].values())


def test_cases_benchmark_prints_its_figures() -> None:
    data = run_quick("cases")
    sqlite = {
        "accepted_cases_per_s",
        "accept_ms",
        "open_accept_cases_per_s",
        "bare_sqlite_tx_per_s",
        "ratio",
        "clear_accepted_cases_per_s",
        "sealed_over_clear",
        "lookup_receipt_ms",
        "lookup_id_number_ms",
        "claim_100_ms",
    }
    postgresql = {f"pg_{k}" for k in sqlite - {"bare_sqlite_tx_per_s"}} | {"pg_bare_tx_per_s"}
    assert set(data["figures"]) in (sqlite, sqlite | postgresql)
    assert all(value > 0 for value in data["figures"].values())
    assert set(data["met"]) == set(data["goals"]) <= set(data["figures"])


def test_sync_benchmark_prints_its_figures() -> None:
    data = run_quick("sync")
    assert set(data["figures"]) == {
        "drain_messages_per_s",
        "store_only_messages_per_s",
        "drain_to_store_ratio",
        "sender_cpu_us_per_message",
        "drain_cpu_us_per_message",
        "store_only_cpu_us_per_message",
        "drain_to_store_cpu_ratio",
        "receiver_events_per_s",
    }
    assert all(value > 0 for value in data["figures"].values())
    assert set(data["met"]) == set(data["goals"]) <= set(data["figures"])


def test_printing_benchmark_prints_its_figures() -> None:
    data = run_quick("printing")
    assert set(data["figures"]) == {
        "acceptance_pdf_ms",
        "material_list_3_pages_ms",
        "escpos_slip_ms",
    }
    assert data["setup"]["material_list_pages"] == 3
    assert all(value > 0 for value in data["figures"].values())


def test_counter_benchmark_prints_its_figures() -> None:
    data = run_quick("counter")
    assert set(data["figures"]) == {
        "cold_start_ms",
        "card_to_prefilled_form_ms",
        "max_gui_block_ms",
    }
    assert all(value > 0 for value in data["figures"].values())


def test_kiosk_benchmark_prints_its_figures() -> None:
    data = run_quick("kiosk")
    assert set(data["goals"]) <= set(data["figures"]) and set(data["met"]) == set(data["goals"])
    figures = data["figures"]
    assert all(figures[key] > 0 for key in figures if key != "rss_growth_mb")
    assert figures["touch_to_screen_worst_ms"] >= figures["touch_to_screen_median_ms"]


def test_backoffice_benchmark_prints_its_figures() -> None:
    data = run_quick("backoffice")
    sqlite = {
        "batch_ms",
        "scanned_batch_ms",
        "add_case_ms",
        "slip_ms",
        "slip_kb",
        "trace_ms",
        "effectiveness_month_ms",
    }
    assert set(data["figures"]) in (sqlite, sqlite | {f"pg_{k}" for k in sqlite})
    assert all(value > 0 for value in data["figures"].values())
    assert set(data["met"]) == set(data["goals"]) <= set(data["figures"])
    rows = data["setup"]["sqlite"]["rows"]
    assert rows["custody_events"] > rows["transfer_items"] > 0 and rows["cases"] == 20_000


def test_devices_benchmark_prints_its_figures() -> None:
    data = run_quick("devices")
    figures = data["figures"]
    for key in (
        "card_read_to_form_ms",
        "zxing_qr_ms",
        "pyzbar_qr_ms",
        "still_to_pdf_ms",
        "quality_check_ms",
        "delivered_fps",
        "gui_stall_max_ms",
        "sdtapi_read_ms",
        "sane_test_page_200dpi_grey_ms",
    ):
        assert figures[key] > 0, key
    assert set(data["met"]) == set(data["goals"]) <= set(figures)
    assert figures["card_line_bytes_ms"] > 100  # the line is paced at 115200 baud


def test_signin_benchmark_prints_its_figures() -> None:
    data = run_quick("signin")
    sqlite = {"wrong_password_ms", "unknown_name_ms", "ratio"}
    assert set(data["figures"]) in (sqlite, sqlite | {f"pg_{k}" for k in sqlite})
    assert all(value > 0 for value in data["figures"].values())
    assert set(data["met"]) == set(data["goals"]) <= set(data["figures"])


def test_hall_benchmark_prints_its_figures() -> None:
    data = run_quick("hall")
    if data.get("skipped"):
        return  # no PostgreSQL binaries here: nothing to measure
    figures = data["figures"]
    assert {"accepts_per_s_2", "accept_p99_ms_2", "accepts_per_s_2_sync"} <= set(figures)
    assert figures["accepts_per_s_2"] > 0 and figures["accept_p50_ms_2_sync"] > 0
    assert figures["events_received_2_sync"] >= 0
