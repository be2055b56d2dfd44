"""Learning activity (the LMS export): signups, lessons, homework, webinars, signals.

Every profile has a ``signup``. Each paid course, module or subscription starts a
learning track: ``course_start``, then lessons one to a few days apart (``login``,
``lesson_start``, ``lesson_finish``, sometimes ``homework_submitted`` and, a few days
later, ``homework_reviewed``; ``module_finish`` every fourth finished lesson). How far a
buyer gets depends on their engagement. Logins come in the first month after signup and
fade out after the last purchase. Free webinar orders give ``webinar_registered`` and
often ``webinar_attended``. Rare operational signals: ``refund_requested`` before
refunds and pending refunds, ``invoice_pending`` for orders awaiting payment,
``autopay_cancelled`` for subscriptions, ``downgrade_requested`` for courses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from livebase.simulate import formats as fm
from livebase.simulate.catalogue import CATEGORIES, IS_COURSE, IS_SUBSCRIPTION, LESSONS, PRODUCTS
from livebase.simulate.clock import DAY, HOUR, MINUTE, at_time_of_day
from livebase.simulate.exports import Columns, text
from livebase.simulate.orders import AWAIT_PAYMENT, AWAIT_REFUND, PAID, PARTIAL
from livebase.simulate.population import People
from livebase.store.schema import ACTIVITY_KINDS

KINDS = ACTIVITY_KINDS  # the store's vocabulary, in its order
(
    SIGNUP,
    LOGIN,
    COURSE_START,
    LESSON_START,
    LESSON_FINISH,
    MODULE_FINISH,
    HOMEWORK_SUBMITTED,
    HOMEWORK_REVIEWED,
    WEBINAR_REGISTERED,
    WEBINAR_ATTENDED,
    AUTOPAY_CANCELLED,
    REFUND_REQUESTED,
    INVOICE_PENDING,
    DOWNGRADE_REQUESTED,
) = range(len(KINDS))
PRODUCT_IDS = tuple(p.id for p in PRODUCTS)
IS_FULL_COURSE = np.array([c == "course" for c in CATEGORIES])


def _frame(profile, kind, ts, product=None, lesson=None) -> pd.DataFrame:
    n = len(ts)
    return pd.DataFrame(
        {
            "profile": np.asarray(profile, dtype=np.int64),
            "kind": np.broadcast_to(np.asarray(kind, dtype=np.int64), (n,)),
            "ts": np.asarray(ts, dtype=np.int64),
            "product": np.full(n, -1) if product is None else np.asarray(product),
            "lesson": np.full(n, -1) if lesson is None else np.asarray(lesson),
        }
    )


def generate_activity(
    people: People,
    profiles: pd.DataFrame,
    ledger: pd.DataFrame,
    end: int,
    tz: str,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Events of a chunk: columns ``profile`` (row in ``profiles``), ``kind`` (index into
    :data:`KINDS`), ``ts``, ``product`` and ``lesson`` (-1 if not about one)."""
    parts = [_frame(np.arange(len(profiles)), SIGNUP, profiles["created"].to_numpy())]
    parts += _tracks(people, profiles, ledger, tz, rng)
    parts += _logins(people, profiles, ledger, tz, rng)
    parts += _webinars_and_signals(ledger, end, rng)
    events = pd.concat(parts, ignore_index=True)
    created = profiles["created"].to_numpy()[events["profile"].to_numpy()]
    keep = (events["ts"].to_numpy() < end) & (events["ts"].to_numpy() >= created)
    return events[keep].reset_index(drop=True)


def _tracks(people, profiles, ledger, tz, rng) -> list[pd.DataFrame]:
    status = ledger["status"].to_numpy()
    product = ledger["product"].to_numpy()
    learn = (
        ledger["purchase"].to_numpy()
        & IS_COURSE[product]
        & np.isin(status, (PAID, PARTIAL, AWAIT_REFUND))
        & (rng.random(len(ledger)) < 0.9)
    )
    rows = np.flatnonzero(learn)
    profile = ledger["profile"].to_numpy()[rows]
    product = product[rows]
    e = people.engagement[ledger["person"].to_numpy()[rows]]
    paid = ledger["paid"].to_numpy()[rows]
    start = at_time_of_day(
        rng, paid + rng.integers(10 * MINUTE, 2 * DAY, len(rows)), tz, not_before=paid + MINUTE
    )
    share = rng.beta(1 + 3 * e, 2.5)
    lessons = np.maximum(1, np.round(LESSONS[product] * share)).astype(np.int64)
    lessons = np.minimum(lessons, LESSONS[product])
    track = np.repeat(np.arange(len(rows)), lessons)
    no = np.arange(len(track)) - np.repeat(np.cumsum(lessons) - lessons, lessons)
    mean_gap = (1.0 + 4.0 * (1 - e[track])) * DAY
    gap = rng.exponential(mean_gap).astype(np.int64) + HOUR
    at = np.cumsum(gap)
    at = at - np.repeat(
        at[np.cumsum(lessons) - lessons] - gap[np.cumsum(lessons) - lessons], lessons
    )
    t_start = start[track] + at
    m = len(track)
    finished = rng.random(m) < 0.8 + 0.15 * e[track]
    t_finish = t_start + rng.integers(15 * MINUTE, 70 * MINUTE, m)
    homework = finished & (rng.random(m) < 0.3)
    t_hw = t_finish + rng.integers(12 * MINUTE, 48 * HOUR, m)
    reviewed = homework & (rng.random(m) < 0.9)
    t_rev = t_hw + rng.integers(4 * HOUR, 3 * DAY, m)
    login = rng.random(m) < 0.5
    t_login = t_start - rng.integers(MINUTE, 10 * MINUTE, m)
    module = finished & ((no + 1) % 4 == 0)
    p, prod = profile[track], product[track]
    lesson = no + 1
    out = [_frame(profile, COURSE_START, start, product)]
    for mask, kind, ts in (
        (np.ones(m, dtype=bool), LESSON_START, t_start),
        (finished, LESSON_FINISH, t_finish),
        (homework, HOMEWORK_SUBMITTED, t_hw),
        (reviewed, HOMEWORK_REVIEWED, t_rev),
        (login, LOGIN, t_login),
    ):
        rows_k = np.flatnonzero(mask)
        les = lesson[rows_k] if kind != LOGIN else None
        prd = prod[rows_k] if kind != LOGIN else None
        out.append(_frame(p[rows_k], kind, ts[rows_k], prd, les))
    mod = np.flatnonzero(module)
    out.append(_frame(p[mod], MODULE_FINISH, t_finish[mod] + MINUTE, prod[mod]))
    return out


def _logins(people, profiles, ledger, tz, rng) -> list[pd.DataFrame]:
    """Logins in the first month, and a fading tail after the last purchase."""
    n = len(people)
    first_profile = np.empty(n, dtype=np.int64)
    primary = (profiles["duplicate"] == "").to_numpy()
    first_profile[profiles["person"].to_numpy()[primary]] = np.flatnonzero(primary)
    early = rng.poisson(1 + 3 * people.engagement)
    who = np.repeat(np.arange(n), early)
    t_early = people.signup[who] + (rng.random(len(who)) * 30 * DAY).astype(np.int64)

    last = np.full(n, -1, dtype=np.int64)
    bought = ledger["purchase"].to_numpy()
    np.maximum.at(last, ledger["person"].to_numpy()[bought], ledger["paid"].to_numpy()[bought])
    tail = np.where(last >= 0, rng.poisson(1 + 3 * people.engagement), 0)
    who2 = np.repeat(np.arange(n), tail)
    t_tail = last[who2] + rng.exponential(45 * DAY, len(who2)).astype(np.int64)
    who = np.concatenate([who, who2])
    ts = at_time_of_day(rng, np.concatenate([t_early, t_tail]), tz)
    return [_frame(first_profile[who], LOGIN, ts)]


def _webinars_and_signals(ledger, end, rng) -> list[pd.DataFrame]:
    profile = ledger["profile"].to_numpy()
    product = ledger["product"].to_numpy()
    status = ledger["status"].to_numpy()
    created = ledger["created"].to_numpy()
    paid = ledger["paid"].to_numpy()
    n = len(ledger)
    out = []
    free = np.flatnonzero(ledger["zero"].to_numpy())
    out.append(_frame(profile[free], WEBINAR_REGISTERED, created[free], product[free]))
    went = free[rng.random(len(free)) < 0.45]
    at = created[went] + rng.integers(DAY, 5 * DAY, len(went))
    out.append(_frame(profile[went], WEBINAR_ATTENDED, at, product[went]))

    refund_ts = ledger["refund_ts"].to_numpy()
    asked = np.flatnonzero((refund_ts >= 0) & (rng.random(n) < 0.9))
    at = np.maximum(refund_ts[asked] - rng.integers(DAY, 5 * DAY, len(asked)), paid[asked] + HOUR)
    out.append(_frame(profile[asked], REFUND_REQUESTED, at, product[asked]))
    pending = np.flatnonzero(status == AWAIT_REFUND)
    room = np.maximum(end - paid[pending], 2 * HOUR)
    at = paid[pending] + (rng.random(len(pending)) * np.minimum(room, 10 * DAY)).astype(np.int64)
    out.append(_frame(profile[pending], REFUND_REQUESTED, at, product[pending]))

    waiting = np.flatnonzero(status == AWAIT_PAYMENT)
    at = created[waiting] + rng.integers(MINUTE, HOUR, len(waiting))
    out.append(_frame(profile[waiting], INVOICE_PENDING, at, product[waiting]))

    bought = ledger["purchase"].to_numpy() & (paid >= 0)
    subs = np.flatnonzero(bought & IS_SUBSCRIPTION[product] & (rng.random(n) < 0.25))
    at = paid[subs] + rng.integers(5 * DAY, 60 * DAY, len(subs))
    out.append(_frame(profile[subs], AUTOPAY_CANCELLED, at, product[subs]))
    down = np.flatnonzero(bought & IS_FULL_COURSE[product] & (rng.random(n) < 0.04))
    at = paid[down] + rng.integers(3 * DAY, 30 * DAY, len(down))
    out.append(_frame(profile[down], DOWNGRADE_REQUESTED, at, product[down]))
    return out


def render_activity(events: pd.DataFrame, profiles: pd.DataFrame, first_event: int) -> Columns:
    """Sort by time and render the export's text columns; event ids continue from
    ``first_event``."""
    order = np.argsort(events["ts"].to_numpy(), kind="stable")
    profile = events["profile"].to_numpy()[order]
    product = events["product"].to_numpy()[order]
    lesson = events["lesson"].to_numpy()[order]
    course = fm.labels(PRODUCT_IDS, product)
    lesson_id = fm.where(lesson > 0, fm.concat(course, "-l", fm.padded(np.maximum(lesson, 0), 2)))
    return {
        "event_id": fm.concat("lms-", fm.integers(first_event + np.arange(len(order)))),
        "user_id": profiles["user_id"].to_numpy()[profile],
        "email": text(profiles["email"]).take(pa.array(profile)),
        "event": fm.labels(KINDS, events["kind"].to_numpy()[order]),
        "ts": events["ts"].to_numpy()[order],
        "course_id": course,
        "lesson_id": lesson_id,
    }
