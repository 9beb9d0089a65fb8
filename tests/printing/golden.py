"""The golden tickets: ``python -m tests.printing.golden`` writes them again (after a deliberate
change to a ticket; look at the PNGs it writes beside them before committing)."""

from __future__ import annotations

from pathlib import Path

from printing.samples import sample_case, sample_plan
from printing.thermal import ticket_bytes
from printing.tickets import Profile, Ticket, acceptance_slip, material_list, pre_application_ticket
from tests.helpers.keys import ring

FOLDER = Path(__file__).with_name("golden")
KEY = ring(b"golden-key")
HALL = "长沙市政务服务中心"
PROFILES = {"raster80": Profile(80, "raster"), "gb18030-58": Profile(58, "gb18030")}


def tickets() -> dict[str, Ticket]:
    accepted = sample_case("acceptance")
    pre = accepted.moved("pre_application", channel="kiosk", accepted_at=None)
    return {
        "acceptance": acceptance_slip(accepted, HALL, KEY),
        "pre_application": pre_application_ticket(pre, HALL, KEY),
        "material_list": material_list(sample_plan(), HALL, "0731-88665266"),
    }


def rendered(ticket: Ticket, profile: Profile) -> bytes:
    return ticket_bytes(ticket, profile)


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for name, ticket in tickets().items():
        for mode, profile in PROFILES.items():
            (FOLDER / f"{name}-{mode}.bin").write_bytes(rendered(ticket, profile))


if __name__ == "__main__":
    main()
