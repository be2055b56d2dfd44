"""Counts of what was planted, accumulated chunk by chunk for ``truth.json``.

Definitions (what an importer following SPEC F1.6 should reproduce):

- a *paid order* has money received (``Оплачено`` > 0): statuses ``Завершен``,
  ``Частично оплачен`` and ``Ожидаем возврата``;
- a *purchase* is a paid order that is neither an accidental repeat payment nor a later
  payment (2nd, 3rd, 4th) of an installment plan; refunded purchases still count;
- a *buyer* is a person with at least one purchase; sleeping tiers are by calendar days
  (school time) from the date of the person's last purchase (its payment) to ``end``:
  ``active`` < 90, ``R90`` 90–179, ``R180`` 180–269, ``R270`` 270 and more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from livebase.simulate.activity import KINDS
from livebase.simulate.clock import DAY, to_local
from livebase.simulate.esp import EVENTS
from livebase.simulate.exports import Columns
from livebase.simulate.orders import AWAIT_REFUND, STATUSES
from livebase.simulate.population import People


def _money(kopecks: int) -> str:
    return str((Decimal(int(kopecks)) / 100).quantize(Decimal("0.01")))


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    orders_by_status: Counter = field(default_factory=Counter)
    lms_by_kind: Counter = field(default_factory=Counter)
    esp_by_event: Counter = field(default_factory=Counter)
    tiers: Counter = field(default_factory=Counter)
    kopecks: Counter = field(default_factory=Counter)

    def add_people(self, people: People, profiles: pd.DataFrame) -> None:
        c = self.counts
        dup = profiles["duplicate"]
        c["persons"] += len(people)
        c["user_profiles"] += len(profiles)
        c["duplicate_profiles"] += int((dup != "").sum())
        c["duplicate_profiles_by_email"] += int((dup == "email").sum())
        c["duplicate_profiles_by_phone"] += int((dup == "phone").sum())
        c["persons_with_child"] += int((people.child_birth_day >= 0).sum())
        c["persons_with_phone"] += int((people.phone_number > 0).sum())

    def add_orders(self, ledger: pd.DataFrame, people: People, end: int, tz: str) -> None:
        c = self.counts
        paid = ledger["paid_amount"].to_numpy() > 0
        purchase = ledger["purchase"].to_numpy() & paid
        person = ledger["person"].to_numpy()
        c["orders"] += len(ledger)
        for code, n in zip(
            *np.unique(ledger["status"].to_numpy(), return_counts=True), strict=True
        ):
            self.orders_by_status[STATUSES[code]] += int(n)
        c["paid_orders"] += int(paid.sum())
        c["purchases"] += int(purchase.sum())
        c["zero_amount_orders"] += int(ledger["zero"].sum())
        c["refunds"] += int((ledger["refund_ts"] >= 0).sum())
        partial = (ledger["refund_ts"] >= 0) & (ledger["refund_amount"] < ledger["amount"])
        c["partial_refunds"] += int(partial.sum())
        c["pending_refunds"] += int((ledger["status"] == AWAIT_REFUND).sum())
        c["repeat_payment_duplicates"] += int(ledger["repeat"].sum())
        c["installment_plans"] += int((ledger["part"] == 1).sum())
        c["installment_orders"] += int((ledger["part"] > 0).sum())
        corporate = ledger["corporate"].to_numpy()
        c["corporate_orders"] += int(corporate.sum())
        c["corporate_paid_orders"] += int((corporate & paid).sum())
        c["corporate_customers"] += len(np.unique(person[corporate & paid]))
        c["gift_orders"] += int(ledger["gift"].sum())
        c["discounted_orders"] += int((ledger["discount"] >= 0).sum())
        c["promo_code_orders"] += int(ledger["code_used"].sum())
        self.kopecks["received"] += int(ledger["paid_amount"].sum())
        self.kopecks["refunded"] += int(ledger["refund_amount"].sum())
        self.kopecks["repeat_payments"] += int(ledger.loc[ledger["repeat"], "paid_amount"].sum())

        last = np.full(len(people), -1, dtype=np.int64)
        np.maximum.at(last, person[purchase], ledger["paid"].to_numpy()[purchase])
        buyers = last >= 0
        c["buyers"] += int(buyers.sum())
        days = to_local(np.array([end]), tz)[0] // DAY - to_local(last[buyers], tz) // DAY
        self.tiers["active"] += int((days < 90).sum())
        self.tiers["R90"] += int(((days >= 90) & (days < 180)).sum())
        self.tiers["R180"] += int(((days >= 180) & (days < 270)).sum())
        self.tiers["R270"] += int((days >= 270).sum())

    def add_payments(self, payments: Columns) -> None:
        self.counts["payments"] += len(payments["number"])

    def add_activity(self, events: pd.DataFrame) -> None:
        self.counts["lms_events"] += len(events)
        for code, n in zip(*np.unique(events["kind"].to_numpy(), return_counts=True), strict=True):
            self.lms_by_kind[KINDS[code]] += int(n)

    def add_consents(self, consents: Columns) -> None:
        self.counts["consents"] += len(consents["granted"])
        self.counts["consent_withdrawals"] += int((~consents["granted"]).sum())

    def add_esp(self, events: pd.DataFrame) -> None:
        self.counts["esp_events"] += len(events)
        for code, n in zip(*np.unique(events["event"].to_numpy(), return_counts=True), strict=True):
            self.esp_by_event[EVENTS[code]] += int(n)

    def result(self) -> tuple[dict, dict]:
        """``(counts, sleep_tiers)`` for :class:`~livebase.simulate.truth.PlantedTruth`."""
        counts: dict = {k: int(v) for k, v in sorted(self.counts.items())}
        counts["orders_by_status"] = {s: int(self.orders_by_status[s]) for s in STATUSES}
        counts["lms_by_kind"] = {k: int(self.lms_by_kind[k]) for k in KINDS}
        counts["esp_by_event"] = {e: int(self.esp_by_event[e]) for e in EVENTS}
        counts["received_total"] = _money(self.kopecks["received"])
        counts["refunded_total"] = _money(self.kopecks["refunded"])
        counts["repeat_payments_total"] = _money(self.kopecks["repeat_payments"])
        tiers = {t: int(self.tiers[t]) for t in ("active", "R90", "R180", "R270")}
        return counts, tiers
