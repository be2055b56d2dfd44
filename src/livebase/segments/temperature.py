"""How cold a sleeping customer is (SPEC F2.7; seed 000).

Seed 000: "Внутри каждого порога используем дополнительные триггеры: отсутствие входов в
ЛК 30+ дней, неоткрытие 5 последних рассылок, нулевые ответы в чатах. Такие триггеры
уточняют степень «охлаждения»". For every customer with a sleep tier in the ``segments``
mart on ``as_of`` three triggers are read from the canonical tables (events up to the end
of ``as_of``; "the last N days" are the N calendar days ending on ``as_of``):

- ``no_login_30d``: no ``activities`` row of kind ``login`` in the last 30 days (never
  logged in counts too). When the store holds no login event at all up to ``as_of`` the
  school sends no login data, so the trigger is unknown: NULL, not true.
- ``last5_unopened``: the customer's 5 most recent email ``sent`` events (ties by
  ``event_id``) and none of their campaigns has an email ``opened`` or ``clicked`` event
  for that customer. A send without ``campaign_id`` cannot be matched to an open and counts
  as unopened. Fewer than 5 emails sent: NULL.
- ``no_replies``: messenger messages in the last 90 days got no ``clicked`` event (a button
  press or reply, as ESP exports record it). No messenger message sent or clicked in those
  90 days: NULL (there was nothing to answer).

``triggers`` counts the triggers that are true; a NULL trigger does not count, so
``known_triggers`` (0–3) tells how much of the picture is there. ``temperature``: 0
triggers ``warm``, 1 ``cooling``, 2–3 ``cold``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis

from livebase.errors import InsufficientData
from livebase.metrics.rfm import day_end
from livebase.segments.segment_map import SegmentMap, default_map
from livebase.store.workspace import Workspace

LOGIN_DAYS = 30
LAST_EMAILS = 5
REPLY_DAYS = 90
TEMPERATURES = ("warm", "cooling", "cold")


@dataclass(frozen=True)
class TemperatureRow:
    sleep_tier: str
    temperature: str
    customers: int
    share_of_tier: float
    incomplete: int  # customers with at least one unknown (NULL) trigger


def _start_of_last(as_of: dt.date, days: int) -> dt.datetime:
    """The first instant of the last ``days`` calendar days ending on ``as_of``."""
    return dt.datetime.combine(as_of - dt.timedelta(days=days - 1), dt.time())


def _sleepers(ws: Workspace, as_of: dt.date, version: str) -> ibis.Table:
    seg = ws.table("segments")
    seg = seg.filter(seg.as_of == as_of)
    seg = seg.filter(seg.version == version)
    if seg.count().to_pyarrow().as_py() == 0:
        raise InsufficientData(
            f"no {version} segments for {as_of}: run `livebase segment --as-of {as_of}` "
            "first, then read the temperature of the sleeping customers"
        )
    seg = seg.filter(seg.sleep_tier.notnull())
    return seg.select("customer_id", "sleep_tier")


def _logins(ws: Workspace, as_of: dt.date) -> tuple[ibis.Table, bool]:
    a = ws.table("activities")
    a = a.filter((a.kind == "login") & (a.ts < day_end(as_of)))
    known = a.count().to_pyarrow().as_py() > 0
    recent = a.filter(a.ts >= _start_of_last(as_of, LOGIN_DAYS))
    return recent.select(login_id="customer_id").distinct(), known


def _emails(ws: Workspace, as_of: dt.date) -> ibis.Table:
    m = ws.table("messages")
    m = m.filter((m.channel == "email") & (m.ts < day_end(as_of)))
    sent = m.filter(m.event == "sent")
    w = ibis.window(group_by="customer_id", order_by=[ibis.desc(sent.ts), ibis.desc(sent.event_id)])
    sent = sent.mutate(k=ibis.row_number().over(w))
    last = sent.filter(sent.k < LAST_EMAILS).select("customer_id", "campaign_id")
    opens = (
        m.filter(m.event.isin(("opened", "clicked")) & m.campaign_id.notnull())
        .select(o_customer="customer_id", o_campaign="campaign_id")
        .distinct()
    )
    j = last.left_join(
        opens, [last.customer_id == opens.o_customer, last.campaign_id == opens.o_campaign]
    )
    per = j.group_by("customer_id").aggregate(
        n_sent=j.count(), n_opened=j.o_customer.notnull().sum().cast("int64")
    )
    return per.select(
        email_id="customer_id",
        last5_unopened=ibis.cases(
            (per.n_sent >= LAST_EMAILS, per.n_opened == 0), else_=ibis.null("boolean")
        ),
    )


def _replies(ws: Workspace, as_of: dt.date) -> ibis.Table:
    m = ws.table("messages")
    m = m.filter(
        (m.channel == "messenger")
        & (m.ts >= _start_of_last(as_of, REPLY_DAYS))
        & (m.ts < day_end(as_of))
        & m.event.isin(("sent", "clicked"))
    )
    per = m.group_by("customer_id").aggregate(clicked=(m.event == "clicked").any())
    return per.select(chat_id="customer_id", no_replies=~per.clicked)


def temperature(ws: Workspace, as_of: dt.date, *, version: str = "monetary") -> ibis.Table:
    """The triggers and temperature of every sleeping customer on ``as_of``.

    Sleeping customers are those with a ``sleep_tier`` in the segments of ``version``
    (the monetary RFM by default: seed 000 puts customers to sleep by days without a
    purchase).

    Columns: customer_id, sleep_tier, no_login_30d, last5_unopened, no_replies (booleans,
    NULL when unknown), triggers (0–3, true ones), known_triggers (0–3), temperature
    (warm | cooling | cold). Raises :class:`InsufficientData` without a segments mart
    for ``as_of``.
    """
    s = _sleepers(ws, as_of, version)
    logins, login_known = _logins(ws, as_of)
    emails = _emails(ws, as_of)
    chats = _replies(ws, as_of)
    j = s.left_join(logins, s.customer_id == logins.login_id)
    j = j.left_join(emails, j.customer_id == emails.email_id)
    j = j.left_join(chats, j.customer_id == chats.chat_id)
    no_login = j.login_id.isnull() if login_known else ibis.null("boolean")
    j = j.select(
        "customer_id",
        "sleep_tier",
        no_login_30d=no_login,
        last5_unopened=j.last5_unopened,
        no_replies=j.no_replies,
    )
    flags = (j.no_login_30d, j.last5_unopened, j.no_replies)
    triggers = sum((f.fill_null(False).cast("int8") for f in flags), ibis.literal(0, "int8"))
    known = sum((f.notnull().cast("int8") for f in flags), ibis.literal(0, "int8"))
    j = j.mutate(triggers=triggers.cast("int8"), known_triggers=known.cast("int8"))
    return j.mutate(
        temperature=ibis.cases(
            (j.triggers == 0, "warm"), (j.triggers == 1, "cooling"), else_="cold"
        )
    ).order_by("customer_id")


def temperature_summary(
    ws: Workspace,
    as_of: dt.date,
    *,
    version: str = "monetary",
    smap: SegmentMap | None = None,
) -> tuple[TemperatureRow, ...]:
    """Customers per (sleep tier, temperature), tiers in the order of ``smap``'s tiers."""
    t = temperature(ws, as_of, version=version)
    rows = (
        t.group_by(["sleep_tier", "temperature"])
        .aggregate(customers=t.count(), incomplete=(t.known_triggers < 3).sum().cast("int64"))
        .to_pyarrow()
        .to_pylist()
    )
    tiers = [tier.tier for tier in (smap or default_map()).sleep_tiers]
    per_tier: dict[str, int] = {}
    for r in rows:
        per_tier[r["sleep_tier"]] = per_tier.get(r["sleep_tier"], 0) + r["customers"]

    def order(r: dict) -> tuple:
        tier = r["sleep_tier"]
        rank = tiers.index(tier) if tier in tiers else len(tiers)
        return rank, tier, TEMPERATURES.index(r["temperature"])

    return tuple(
        TemperatureRow(
            r["sleep_tier"],
            r["temperature"],
            r["customers"],
            r["customers"] / per_tier[r["sleep_tier"]],
            r["incomplete"],
        )
        for r in sorted(rows, key=order)
    )
