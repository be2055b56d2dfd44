"""What an email service provider reports for one send to many recipients.

For each recipient: ``sent``; then ``delivered`` or a ``bounce`` (hard or soft); a
delivered email may be opened, an opened one clicked; independently of opening, a
recipient may unsubscribe or mark it as spam. Rates are shares of *sent* emails.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from livebase.simulate.clock import DAY, HOUR, MINUTE

EVENTS = ("sent", "delivered", "open", "click", "unsubscribe", "spam", "bounce")
SENT, DELIVERED, OPEN, CLICK, UNSUBSCRIBE, SPAM, BOUNCE = range(7)
BOUNCE_TYPES = ("hard", "soft")


@dataclass(frozen=True)
class Rates:
    """Shares of sent emails (open and click may be per recipient)."""

    delivered: float = 0.98
    hard_bounce: float = 0.003
    open: float | np.ndarray = 0.25
    click: float | np.ndarray = 0.04
    unsubscribe: float = 0.003
    spam: float = 0.0005


@dataclass(frozen=True)
class Send:
    """The events of one send: ``events`` has columns ``recipient`` (the caller's index),
    ``event`` (index into :data:`EVENTS`), ``ts`` (UTC seconds), ``bounce`` (-1, or index
    into :data:`BOUNCE_TYPES`). The masks tell who left the list."""

    events: pd.DataFrame
    unsubscribed: np.ndarray
    complained: np.ndarray
    hard_bounced: np.ndarray


def send(
    rng: np.random.Generator,
    recipient: np.ndarray,
    sent_at: np.ndarray,
    rates: Rates,
    click_at: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> Send:
    """Simulate one email to each ``recipient`` sent at ``sent_at``.

    ``click_at`` (UTC seconds, -1 for none) forces a delivered, opened and clicked email
    with the click at that moment (a buyer who came from this email). ``keep`` marks
    recipients who must stay reachable (no bounce, unsubscribe or complaint).
    """
    n = len(recipient)
    forced = np.zeros(n, dtype=bool) if click_at is None else click_at >= 0
    stay = forced if keep is None else forced | keep
    d = rates.delivered
    delivered = (rng.random(n) < d) | stay
    hard = ~delivered & (rng.random(n) < rates.hard_bounce / (1 - d))
    opened = (delivered & (rng.random(n) < np.asarray(rates.open) / d)) | forced
    p_click = np.asarray(rates.click) / np.asarray(rates.open)
    clicked = (opened & (rng.random(n) < p_click)) | forced
    unsub = delivered & ~stay & (rng.random(n) < rates.unsubscribe / d)
    spam = delivered & ~stay & ~unsub & (rng.random(n) < rates.spam / d)

    t_delivered = sent_at + rng.integers(2, 90, n)
    t_bounce = sent_at + rng.integers(5, 600, n)
    wait = np.minimum(rng.lognormal(np.log(2 * HOUR), 1.2, n), 3 * DAY).astype(np.int64)
    t_open = t_delivered + wait
    t_click = t_open + rng.integers(5, 15 * MINUTE, n)
    if click_at is not None:
        span = np.maximum(click_at - t_delivered, 2)
        forced_open = t_delivered + (span * rng.uniform(0.2, 0.9, n)).astype(np.int64)
        t_open = np.where(forced, forced_open, t_open)
        t_click = np.where(forced, click_at, t_click)
    t_unsub = np.where(
        opened,
        t_open + rng.integers(10, 5 * MINUTE, n),
        t_delivered + rng.integers(HOUR, 2 * DAY, n),
    )
    t_spam = t_delivered + rng.integers(10 * MINUTE, 2 * DAY, n)

    masks = (np.ones(n, dtype=bool), delivered, opened, clicked, unsub, spam, ~delivered)
    times = (sent_at, t_delivered, t_open, t_click, t_unsub, t_spam, t_bounce)
    parts = []
    for code, (mask, ts) in enumerate(zip(masks, times, strict=True)):
        rows = np.flatnonzero(mask)
        bounce = np.where(hard[rows], 0, 1) if code == BOUNCE else np.full(len(rows), -1)
        parts.append(
            pd.DataFrame(
                {"recipient": recipient[rows], "event": code, "ts": ts[rows], "bounce": bounce}
            )
        )
    events = pd.concat(parts, ignore_index=True)
    return Send(events, unsub, spam, hard)
