"""Withdrawals per course presentation (issue 5).

- **Withdrawal rate of a course** (``activities.course_id``): customers with a
  ``course_withdrawal`` event for it / customers with a ``course_registration`` or a
  ``course_withdrawal`` event for it (a withdrawal implies a registration), events up to
  the end of ``as_of`` when given; enrolment events without a course are not counted.

OULAD's ``studentRegistration.csv`` imports as such events with the
``oulad-registrations`` preset (:mod:`livebase.ingest.presets.oulad`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from livebase.experiments.proportions import wilson_interval
from livebase.ingest.pipeline import ImportResult, Progress, import_file
from livebase.ingest.presets.oulad import WITHDRAWAL, OuladRegistrations
from livebase.metrics.rfm import day_end
from livebase.store.schema import ENROLMENT_KINDS
from livebase.store.workspace import Workspace


@dataclass(frozen=True)
class WithdrawalRate:
    """Withdrawn / registered customers of one course, with a Wilson interval."""

    course_id: str
    registered: int
    withdrawn: int
    rate: float
    ci: tuple[float, float]


def withdrawal_rates(
    ws: Workspace, *, as_of: dt.date | None = None, alpha: float = 0.05
) -> tuple[WithdrawalRate, ...]:
    """The withdrawal rate of every course with enrolment events, by course_id."""
    a = ws.table("activities")
    keep = a.kind.isin(ENROLMENT_KINDS) & a.course_id.notnull()
    if as_of is not None:
        keep &= a.ts < day_end(as_of)
    a = a.filter(keep)
    rows = (
        a.group_by("course_id")
        .aggregate(
            registered=a.customer_id.nunique(),
            withdrawn=a.customer_id.nunique(where=a.kind == WITHDRAWAL),
        )
        .order_by("course_id")
        .to_pyarrow()
        .to_pylist()
    )
    return tuple(
        WithdrawalRate(
            r["course_id"],
            int(r["registered"]),
            int(r["withdrawn"]),
            r["withdrawn"] / r["registered"],
            wilson_interval(int(r["withdrawn"]), int(r["registered"]), alpha=alpha),
        )
        for r in rows
    )


def import_oulad_registrations(
    ws: Workspace, path: Path, *, progress: Progress | None = None
) -> ImportResult:
    """Import an OULAD ``studentRegistration.csv`` into ``activities``."""
    return import_file(ws, path, OuladRegistrations(), progress=progress)
