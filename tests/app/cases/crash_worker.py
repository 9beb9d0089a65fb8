"""Started by ``test_crash.py``: accepts newborn cases on a SQLite database until it is killed.

``python crash_worker.py DATABASE FILES [SECONDS]`` opens (and migrates) the database, then loops:
open a counter case, receive its materials, accept it, and print the receipt number once the
acceptance is committed. It stops by itself after SECONDS (default 60) in case nobody kills it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    database, files = Path(argv[1]), Path(argv[2])
    seconds = float(argv[3]) if len(argv) == 4 else 60.0
    sys.path.insert(0, str(ROOT))
    from app.cases.files import FileStore
    from app.cases.service import CaseService
    from app.catalog.catalog import load_catalog
    from app.db.engine import Database, make_engine
    from app.db.migrate import upgrade
    from tests.helpers.cases import ANSWERS, CLERK, MOTHER, NEWBORN, filled_form, receive_all

    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    catalog = load_catalog()
    service = CaseService(Database(engine), catalog, FileStore(files), hall_code="430100001")
    form = filled_form(catalog, NEWBORN, ANSWERS)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        case = service.open_case(
            CLERK, channel="counter", scenario=NEWBORN, applicant=MOTHER, answers=ANSWERS, form=form
        )
        case = receive_all(service, case)
        accepted = service.accept(CLERK, case.receipt_no)
        print(accepted.receipt_no, flush=True)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
