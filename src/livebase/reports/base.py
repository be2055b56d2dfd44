"""The base report of one date as plain data: churn risk, cohorts, activation, NPS and
the support load (SPEC F3.1–F3.4).

Definitions (one sentence each):

- *Risk part*: the summary of the stored ``risk`` mart of ``as_of`` and its
  :data:`TOP_RISKS` riskiest customers; without stored scores of that date they are
  computed and stored first (:func:`livebase.metrics.risk.build_risk`).
- *Cohort part*: every cohort metric by first-purchase month as of ``as_of``
  (:func:`livebase.metrics.cohorts.workspace_cohorts`).
- *Activation part*: the newcomers whose first purchase falls in the last
  :data:`ACTIVATION_MONTHS` full calendar months up to ``as_of`` (:func:`activation_period`;
  the month of ``as_of`` is full only when ``as_of`` is its last day), in total and per month.
- *NPS part*: NPS per monetary segment of ``as_of`` over the default 180-day lookback.
- *Support part*: tickets per 1,000 active customers for the 12 months ending with the
  month of ``as_of``.
- A part that cannot be computed is ``None`` and :attr:`BaseReport.missing` holds a
  :class:`MissingPart` saying why (no segments of ``as_of``, or the engine's
  "not enough data" message); the other parts are still computed.

>>> activation_period(dt.date(2025, 5, 5))
(datetime.date(2025, 2, 1), datetime.date(2025, 4, 30))
>>> activation_period(dt.date(2025, 4, 30))
(datetime.date(2025, 2, 1), datetime.date(2025, 4, 30))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from livebase.errors import InsufficientData
from livebase.i18n import check_lang
from livebase.metrics.activation import (
    ActivationSummary,
    activation_by_cohort,
    activation_summary,
)
from livebase.metrics.cohorts import CohortTable, workspace_cohorts
from livebase.metrics.nps_support import NpsBreakdown, SupportMonth, nps_by_segment, support_load
from livebase.metrics.rfm import months_before
from livebase.metrics.risk import VERSION, RiskRow, RiskSummary, build_risk, risk_summary, top_risks
from livebase.store.workspace import Workspace

TOP_RISKS = 20
ACTIVATION_MONTHS = 3
SUPPORT_MONTHS = 12
PARTS = ("risk", "cohorts", "activation", "nps", "support")
NO_SEGMENTS = "no_segments"
OTHER = "other"

T = TypeVar("T")


@dataclass(frozen=True)
class MissingPart:
    """Why a part of the report is missing: ``code`` is ``no_segments`` (no monetary
    segments of the date) or ``other`` (``message``: the engine's explanation)."""

    part: str
    code: str
    message: str


@dataclass(frozen=True)
class BaseReport:
    """Everything the base report shows, unformatted; a part that could not be computed
    is ``None`` (empty for the tuples) and named in ``missing``.

    ``risk_built``: the risk scores of ``as_of`` were computed (and stored) for this
    report. ``activation_from`` / ``activation_to``: the first-purchase period of the
    activation part.
    """

    school: str
    as_of: dt.date
    lang: str
    currency: str
    risk: RiskSummary | None
    top_risks: tuple[RiskRow, ...]
    risk_built: bool
    cohorts: CohortTable | None
    activation_from: dt.date
    activation_to: dt.date
    activation: ActivationSummary | None
    activation_cohorts: tuple[ActivationSummary, ...]
    nps: NpsBreakdown | None
    support: tuple[SupportMonth, ...] | None
    missing: tuple[MissingPart, ...] = ()

    def why_missing(self, part: str) -> MissingPart | None:
        """The reason ``part`` is missing, ``None`` when it is there."""
        return next((m for m in self.missing if m.part == part), None)


def activation_period(as_of: dt.date, months: int = ACTIVATION_MONTHS) -> tuple[dt.date, dt.date]:
    """The first and last day of the last ``months`` full calendar months up to ``as_of``."""
    last_day_of_month = (as_of + dt.timedelta(days=1)).day == 1
    end = as_of if last_day_of_month else as_of.replace(day=1) - dt.timedelta(days=1)
    start = months_before(end.replace(day=1), months - 1)
    return start, end


def _has_segments(ws: Workspace, as_of: dt.date) -> bool:
    s = ws.table("segments")
    s = s.filter((s.as_of == as_of) & (s.version == VERSION))
    return s.count().to_pyarrow().as_py() > 0


def _has_risk(ws: Workspace, as_of: dt.date) -> bool:
    r = ws.table("risk")
    return r.filter(r.as_of == as_of).count().to_pyarrow().as_py() > 0


def base_report(ws: Workspace, as_of: dt.date, lang: str | None = None) -> BaseReport:
    """Gather every part of the base report of ``as_of`` (see the module docstring).

    Writes the ``risk`` mart of ``as_of`` when it is not stored yet and the segments of
    that date exist; nothing else is written.
    """
    lang = check_lang(lang or ws.config.locale)
    missing: list[MissingPart] = []
    segmented = _has_segments(ws, as_of)

    def attempt(part: str, compute: Callable[[], T], *, needs_segments: bool = False) -> T | None:
        if needs_segments and not segmented:
            missing.append(MissingPart(part, NO_SEGMENTS, f"no monetary segments for {as_of}"))
            return None
        try:
            return compute()
        except InsufficientData as exc:
            missing.append(MissingPart(part, OTHER, str(exc)))
            return None

    risk_built = segmented and not _has_risk(ws, as_of)

    def risk() -> tuple[RiskSummary, tuple[RiskRow, ...]]:
        summary = build_risk(ws, as_of) if risk_built else risk_summary(ws, as_of)
        return summary, top_risks(ws, as_of, TOP_RISKS)

    scored = attempt("risk", risk, needs_segments=True)
    first_from, first_to = activation_period(as_of)
    period = {"first_from": first_from, "first_to": first_to, "as_of": as_of}
    activation = attempt("activation", lambda: activation_summary(ws, **period))
    by_month = attempt("activation", lambda: activation_by_cohort(ws, **period))
    if activation is None:
        by_month = ()
    return BaseReport(
        school=ws.config.school,
        as_of=as_of,
        lang=lang,
        currency=ws.config.currency,
        risk=None if scored is None else scored[0],
        top_risks=() if scored is None else scored[1],
        risk_built=risk_built and scored is not None,
        cohorts=attempt(
            "cohorts", lambda: workspace_cohorts(ws, "first_purchase_month", as_of=as_of)
        ),
        activation_from=first_from,
        activation_to=first_to,
        activation=activation,
        activation_cohorts=by_month or (),
        nps=attempt("nps", lambda: nps_by_segment(ws, as_of), needs_segments=True),
        support=attempt(
            "support",
            lambda: support_load(
                ws, as_of=as_of, months=SUPPORT_MONTHS, rules=ws.config.purchase_rules
            ),
        ),
        missing=tuple(dict.fromkeys(missing)),
    )
