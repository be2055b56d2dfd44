"""The consent log: grants at signup per channel and purpose, and later withdrawals.

Marketing consent is asked per channel (email about 85 %, messenger 55 %, sms 30 % of
people with a phone; calls 35 % of people with a phone, retargeting 50 %);
personalisation is a separate purpose (recorded on channel ``email``, the form it was
collected by). About 4 % of grants are withdrawn later in
the account settings; unsubscribing from a newsletter adds a withdrawal of email
marketing (see :mod:`livebase.simulate.newsletters`). For people who gave a child's
birth date, 70 % of the records say the consent was given by a ``parent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from livebase.simulate import formats as fm
from livebase.simulate.clock import DAY
from livebase.simulate.exports import Columns, text
from livebase.simulate.population import (
    REG_ADMIN,
    REG_PURCHASE,
    REG_WEBINAR,
    People,
    epoch_day,
)

# (channel, purpose, share of people)
ASKED = (
    ("email", "marketing", 0.85),
    ("messenger", "marketing", 0.55),
    ("sms", "marketing", 0.30),
    ("email", "personalisation", 0.60),
)
EMAIL_MARKETING = 0
# asked later (checkout form: "may our managers call you", "may we show you our ads"),
# drawn from a stream of their own so that adding them changed nothing else
ASKED_LATER = (
    ("call", "marketing", 0.35),
    ("retargeting", "marketing", 0.50),
)
WITHDRAW_SHARE = 0.04
# offer versions by the day they took effect (epoch days)
OFFERS = tuple(
    (f"{d.year}-{d.month:02d}", epoch_day(d))
    for d in (date(2021, 6, 1), date(2023, 3, 1), date(2024, 9, 1), date(2025, 2, 1))
)
SOURCES = ("signup_form", "checkout", "webinar_form", "import")


@dataclass(frozen=True)
class EmailConsent:
    """Per person of the chunk: when email marketing was granted (-1 never) and when it
    was withdrawn in the account settings (a large number if never)."""

    granted: np.ndarray
    withdrawn: np.ndarray
    offer: np.ndarray  # offer version index per person
    parent: np.ndarray  # consents given by a parent

    def unsubscribes(self, unsubscribed_at: np.ndarray, end: int) -> pd.DataFrame:
        """Withdrawals of email marketing by the newsletters' unsubscribe link."""
        who = np.flatnonzero((unsubscribed_at >= 0) & (unsubscribed_at < end))
        return pd.DataFrame(
            {
                "person": who,
                "channel": "email",
                "purpose": "marketing",
                "granted": False,
                "ts": unsubscribed_at[who],
                "offer": self.offer[who],
                "source": -2,
                "parent": self.parent[who],
            }
        )


NEVER = np.iinfo(np.int64).max


def generate_consents(
    people: People, end: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, EmailConsent]:
    """Consent rows of a chunk (``user_id`` is the person's first profile) and the email
    marketing windows the newsletters respect."""
    n = len(people)
    has_phone = people.phone_number > 0
    parent = (people.child_birth_day >= 0) & (rng.random(n) < 0.7)
    offer_start = np.array([day for _, day in OFFERS])
    offer = np.maximum(np.searchsorted(offer_start, people.signup // DAY, side="right") - 1, 0)
    source = np.select(
        [
            people.registration == REG_PURCHASE,
            people.registration == REG_WEBINAR,
            people.registration == REG_ADMIN,
        ],
        [1, 2, 3],
        0,
    )
    frames = []
    email_granted = np.full(n, -1, dtype=np.int64)
    email_withdrawn = np.full(n, NEVER, dtype=np.int64)
    later_rng = rng.spawn(1)[0]
    for k, (channel, purpose, share) in enumerate(ASKED + ASKED_LATER):
        if k == len(ASKED):
            rng = later_rng
        granted = rng.random(n) < share
        if channel in ("sms", "call"):
            granted &= has_phone
        who = np.flatnonzero(granted)
        ts = people.signup[who] + rng.integers(0, 120, len(who))
        withdraw = rng.random(len(who)) < WITHDRAW_SHARE
        later = ts + (rng.random(len(who)) * (end - ts)).astype(np.int64)
        withdraw &= later < end
        if k == EMAIL_MARKETING:
            email_granted[who] = ts
            email_withdrawn[who[withdraw]] = later[withdraw]
        for is_grant, rows, at, src in (
            (True, who, ts, source[who]),
            (False, who[withdraw], later[withdraw], np.full(withdraw.sum(), -1)),
        ):
            frames.append(
                pd.DataFrame(
                    {
                        "person": rows,
                        "channel": channel,
                        "purpose": purpose,
                        "granted": is_grant,
                        "ts": at,
                        "offer": offer[rows],
                        "source": src,
                        "parent": parent[rows],
                    }
                )
            )
    rows = pd.concat(frames, ignore_index=True)
    return rows, EmailConsent(email_granted, email_withdrawn, offer, parent)


def render_consents(rows: pd.DataFrame, people: People, first_user: np.ndarray) -> Columns:
    """Consent rows with the export's text columns, by time (withdrawal source ``-1`` is
    the account settings, ``-2`` the unsubscribe link)."""
    order = np.lexsort((rows["person"].to_numpy(), rows["ts"].to_numpy()))
    person = rows["person"].to_numpy()[order]
    source = rows["source"].to_numpy()[order]
    sources = (*SOURCES, "account_settings", "unsubscribe_link")
    code = np.where(source == -1, len(SOURCES), np.where(source == -2, len(SOURCES) + 1, source))
    take = pa.array(person)
    return {
        "user_id": first_user[person],
        "email": people.email.take(take),
        "phone": people.phone.take(take),
        "channel": text(rows["channel"].to_numpy()[order]),
        "purpose": text(rows["purpose"].to_numpy()[order]),
        "granted": rows["granted"].to_numpy()[order],
        "ts": rows["ts"].to_numpy()[order],
        "offer_version": fm.labels(tuple(v for v, _ in OFFERS), rows["offer"].to_numpy()[order]),
        "source": fm.labels(sources, code),
        "given_by": fm.labels(("self", "parent"), rows["parent"].to_numpy()[order].astype(int)),
    }
