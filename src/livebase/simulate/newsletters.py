"""Monthly newsletters of the last twelve months, as the ESP reports them.

Each newsletter goes out on the 10th at 10:00 school time to everyone whose email
marketing consent is in force and who has not unsubscribed, complained or hard-bounced
before. People who bought recently open far more often than sleeping ones, so the
"last five emails unopened" trigger has something to find.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from livebase.simulate.clock import DAY, HOUR, from_local
from livebase.simulate.consents import EmailConsent
from livebase.simulate.esp import UNSUBSCRIBE, Rates, send
from livebase.simulate.population import epoch_day

ISSUES = 12


@dataclass(frozen=True)
class Newsletters:
    events: pd.DataFrame  # recipient = person row; campaign = issue label
    unsubscribed_at: np.ndarray  # per person, -1 if not


def issue_dates(end: date) -> list[date]:
    """The 10th of each of the twelve months before ``end`` (only days before ``end``).

    >>> [d.isoformat() for d in issue_dates(date(2025, 5, 5))][-2:]
    ['2025-03-10', '2025-04-10']
    """
    out = []
    for back in range(ISSUES, -1, -1):
        month = end.year * 12 + end.month - 1 - back
        day = date(month // 12, month % 12 + 1, 10)
        if day < end:
            out.append(day)
    return out[-ISSUES:]


def simulate_newsletters(
    signup: np.ndarray,
    consent: EmailConsent,
    purchase_person: np.ndarray,
    purchase_ts: np.ndarray,
    engagement: np.ndarray,
    end: date,
    tz: str,
    rng: np.random.Generator,
) -> Newsletters:
    """ESP events of the newsletters for the people of a chunk."""
    n = len(signup)
    active = np.ones(n, dtype=bool)
    unsubscribed_at = np.full(n, -1, dtype=np.int64)
    parts = []
    for issue in issue_dates(end):
        at = int(from_local(np.array([epoch_day(issue) * DAY + 10 * HOUR]), tz)[0])
        who = np.flatnonzero(
            active & (consent.granted >= 0) & (consent.granted < at) & (consent.withdrawn > at)
        )
        last = signup.copy()
        before = purchase_ts < at
        np.maximum.at(last, purchase_person[before], purchase_ts[before])
        warm = (at - last[who]) < 120 * DAY
        open_p = np.where(warm, 0.30, 0.07) * (0.5 + engagement[who])
        rates = Rates(
            delivered=0.975,
            hard_bounce=0.004,
            open=open_p,
            click=open_p * 0.12,
            unsubscribe=0.002,
            spam=0.0003,
        )
        sent_at = at + rng.integers(0, 40 * 60, len(who))
        result = send(rng, who, sent_at, rates)
        events = result.events
        events["campaign"] = f"newsletter-{issue.year}-{issue.month:02d}"
        parts.append(events)
        unsub = who[result.unsubscribed]
        unsub_rows = events[events["event"] == UNSUBSCRIBE]
        unsubscribed_at[unsub_rows["recipient"].to_numpy()] = unsub_rows["ts"].to_numpy()
        active[unsub] = False
        active[who[result.complained | result.hard_bounced]] = False
    events = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({"recipient": [], "event": [], "ts": [], "bounce": [], "campaign": []})
    )
    return Newsletters(events, unsubscribed_at)
