"""The case service: the one place a case changes state (GB/T 45836 §7.3–7.8), one facade for the
counter, the kiosks, the command line and the sync.

It builds its parts, each for one stage and each given what it needs, and hands its methods on:
:class:`~app.cases.intake.Intake` (opening a case, materials, scans),
:class:`~app.cases.decisions.Decisions` (受理, 容缺受理, 不予受理, the departments' decisions,
supplements), :class:`~app.cases.aftercare.Aftercare` (出件, 撤回, prints) and
:class:`~app.cases.evaluation.Evaluations` (好差评). They share one
:class:`~app.cases.repository.CaseRepository`; what other services do with a change in its
transaction (the listeners) is passed in here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from app.calendar.workdays import WorkCalendar
from app.cases.aftercare import Aftercare, AfterDeliver
from app.cases.assistance import Assisting
from app.cases.catalogs import CaseCatalogs
from app.cases.decisions import AfterAccept, Decisions, terminate_dependents
from app.cases.evaluation import AfterEvaluate, Evaluations
from app.cases.files import FileStore
from app.cases.intake import Intake
from app.cases.repository import CaseRepository
from app.cases.verification import DEFAULT_DAYS, Verifications, Verifying
from app.catalog.catalog import Catalog
from app.db.base import utcnow
from app.db.engine import Database


class CaseService:
    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        files: FileStore,
        *,
        hall_code: str,
        calendar: WorkCalendar | None = None,
        older_catalogs: Sequence[Catalog] = (),
        clock: Callable[[], datetime] = utcnow,
        require_review: bool = False,
        after_accept: AfterAccept | None = None,
        after_deliver: AfterDeliver | None = None,
        after_evaluate: AfterEvaluate | None = None,
        verify_days: int = DEFAULT_DAYS,
    ) -> None:
        self.db = db
        self.files = files
        self.calendar = calendar or WorkCalendar()
        self.clock = clock
        self.catalogs = CaseCatalogs(catalog, older_catalogs)
        repository = CaseRepository(db)
        intake = Intake(
            repository,
            self.catalogs,
            files,
            hall_code=hall_code,
            clock=self._now,
            require_review=require_review,
        )
        decisions = Decisions(
            repository,
            self.catalogs,
            self.calendar,
            clock=self._now,
            after_accept=after_accept,
            verify_days=verify_days,
        )
        aftercare = Aftercare(repository, clock=self._now, after_deliver=after_deliver)
        evaluations = Evaluations(repository, clock=self._now, after_evaluate=after_evaluate)
        self.get = repository.get
        self.timeline = repository.timeline
        self.open_case = intake.open_case
        self.update = intake.update
        self.record_material = intake.record_material
        self.record_materials = intake.record_materials
        self.attach_scan = intake.attach_scan
        self.accept = decisions.accept
        self.accept_on_commitment = decisions.accept_on_commitment
        self.not_accept = decisions.not_accept
        self.record_item_decision = decisions.record_item_decision
        self.apply_platform_events = decisions.apply_platform_events
        self.supplement = decisions.supplement
        self.lapse = decisions.lapse
        self.assist = Assisting(repository, clock=self._now).record
        self.verify = Verifying(
            repository, clock=self._now, terminate_dependents=terminate_dependents
        ).record
        self.verifications = Verifications(repository, clock=self._now)
        self.deliver = aftercare.deliver
        self.withdraw = aftercare.withdraw
        self.record_print = aftercare.record_print
        self.prints = aftercare.prints
        self.serial_in_year = aftercare.serial_in_year
        self.evaluate = evaluations.evaluate
        self.catalog_for = self.catalogs.get
        self.use_catalog = self.catalogs.use

    def _now(self) -> datetime:
        """The parts' clock: this service's ``clock``, which a test or the demo may swap."""
        return self.clock()

    @property
    def catalog(self) -> Catalog:
        """The catalog new cases use."""
        return self.catalogs.current
