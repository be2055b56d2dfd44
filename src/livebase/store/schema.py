"""Canonical table contracts: names, types and natural keys.

These are the tables importers write and every later stage reads. Money is
``DECIMAL(18,2)``; timestamps are naive ``TIMESTAMP`` values in UTC. Each table declares
its grain (``key``): re-importing a row with a known key never adds a second row.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt

MONEY = dt.Decimal(18, 2)


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns (ordered), its natural key and its purpose."""

    name: str
    columns: dict[str, dt.DataType]
    key: tuple[str, ...]
    doc: str
    # an existing row with the same key is replaced when the new one differs
    # (orders change status); otherwise a known key is left as it is (events never change)
    replace: bool = False
    # values for columns added after a store was created (rows written before them)
    added_defaults: tuple[tuple[str, object], ...] = ()

    @property
    def schema(self) -> ibis.Schema:
        return ibis.schema(self.columns)


def _t(**cols: str | dt.DataType) -> dict[str, dt.DataType]:
    return {name: (MONEY if typ == "money" else dt.dtype(typ)) for name, typ in cols.items()}


CANONICAL: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "customers",
            _t(
                customer_id="string",
                email="string",
                phone="string",
                name="string",
                created_at="timestamp",
                timezone="string",
                region="string",
                child_birth_date="date",
                first_channel="string",
                is_corporate="boolean",
                last_seen_at="timestamp",
            ),
            ("customer_id",),
            "one row per person after identity merges",
            replace=True,
        ),
        TableSpec(
            "orders",
            _t(
                order_id="string",
                customer_id="string",
                created_at="timestamp",
                paid_at="timestamp",
                amount="money",
                currency="string",
                status="string",
                refunded_amount="money",
                product_id="string",
                product_title="string",
                category="string",
                plan_id="string",
                is_gift="boolean",
                is_corporate="boolean",
                discount_amount="money",
                offer_id="string",
                utm_source="string",
                utm_medium="string",
                utm_campaign="string",
                variable_cost="money",
                source_status="string",
                refund_pending="boolean",
            ),
            ("order_id",),
            "payments: status in paid, partially_paid, refunded, cancelled, pending",
            replace=True,
        ),
        TableSpec(
            "payments",
            _t(
                payment_id="string",
                order_id="string",
                customer_id="string",
                ts="timestamp",
                status="string",
                amount="money",
            ),
            ("payment_id",),
            "payment transactions; status received or returned (refunds net out of orders)",
        ),
        TableSpec(
            "activities",
            _t(
                event_id="string",
                customer_id="string",
                ts="timestamp",
                kind="string",
                course_id="string",
                lesson_id="string",
            ),
            ("event_id",),
            "learning events and operational signals",
        ),
        TableSpec(
            "messages",
            _t(
                event_id="string",
                customer_id="string",
                ts="timestamp",
                channel="string",
                event="string",
                campaign_id="string",
                wave_id="string",
                arm="string",
                touch_id="string",
                is_promo="boolean",
                offer_type="string",
            ),
            ("event_id",),
            "message events from ESPs, messengers, ad platforms and calls",
        ),
        TableSpec(
            "consents",
            _t(
                customer_id="string",
                channel="string",
                purpose="string",
                granted="boolean",
                ts="timestamp",
                offer_version="string",
                source="string",
                given_by="string",
            ),
            ("customer_id", "channel", "purpose", "ts"),
            "consent log: every grant and withdrawal, newest wins",
        ),
        TableSpec(
            "nps_responses",
            _t(customer_id="string", ts="timestamp", score="int16"),
            ("customer_id", "ts"),
            "NPS answers 0-10",
        ),
        TableSpec(
            "tickets",
            _t(customer_id="string", ts="timestamp", kind="string"),
            ("customer_id", "ts", "kind"),
            "support tickets",
        ),
        TableSpec(
            "costs",
            _t(date="date", wave_id="string", channel="string", kind="string", amount="money"),
            ("date", "wave_id", "channel", "kind"),
            "marketing and production costs",
            replace=True,
        ),
    ]
}

SYSTEM: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "imports",
            _t(
                import_id="int64",
                source="string",
                sha256="string",
                preset="string",
                target="string",
                rows_in="int64",
                rows_loaded="int64",
                rows_rejected="int64",
                rows_new="int64",
                rows_updated="int64",
                started_at="timestamp",
                finished_at="timestamp",
            ),
            ("import_id",),
            "one row per import run; rows_in = rows_loaded + rows_rejected",
        ),
        TableSpec(
            "rejects",
            _t(import_id="int64", line="int64", column="string", value="string", reason="string"),
            ("import_id", "line"),
            "every input row that was not loaded, with the reason",
        ),
        TableSpec(
            "identities",
            _t(kind="string", value="string", customer_id="string"),
            ("kind", "value"),
            "identity keys (source ids, normalised emails and phones) -> customer_id",
            replace=True,
        ),
        TableSpec(
            "identity_merges",
            _t(from_id="string", into_id="string", rule="string", ts="timestamp"),
            ("from_id",),
            "profiles merged into one customer, and the rule that merged them",
        ),
        TableSpec(
            "users",
            _t(username="string", password_hash="string", created_at="timestamp"),
            ("username",),
            "dashboard logins; the password only as a slow salted hash (scrypt)",
            replace=True,
        ),
        TableSpec(
            "api_tokens",
            _t(name="string", token_hash="string", created_at="timestamp"),
            ("name",),
            "API tokens by name; the token only as its SHA-256",
            replace=True,
        ),
        TableSpec(
            "webhook_events",
            _t(
                event_id="string",
                source="string",
                kind="string",
                received_at="timestamp",
                status="string",
                reason="string",
            ),
            ("event_id",),
            "webhook events received: a known event id is a replay and changes nothing",
        ),
        TableSpec(
            "erasures",
            _t(
                erasure_id="string",
                erased_at="timestamp",
                by="string",
                anon_id="string",
                tables="string",
                files="string",
            ),
            ("erasure_id",),
            "one row per erasure (livebase erase): when, by whom, the anonymous id, and "
            "JSON counts of the rows per table and files changed; never personal data",
        ),
        TableSpec(
            "erased_keys",
            _t(key_hash="string", kind="string", erasure_id="string"),
            ("key_hash",),
            "suppression list: HMAC-SHA256 (workspace secret) of the erased people's "
            "normalised e-mails, phones and source ids, so an import cannot bring them back",
        ),
    ]
}

MARTS: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "rfm",
            _t(
                as_of="date",
                version="string",
                customer_id="string",
                recency_days="int64",
                frequency="int64",
                monetary="money",
                r="int8",
                f="int8",
                m="int8",
            ),
            ("as_of", "version", "customer_id"),
            "RFM values and scores per customer as of a date",
        ),
        TableSpec(
            "segments",
            _t(
                as_of="date",
                version="string",
                customer_id="string",
                segment="string",
                rule="string",
                sleep_tier="string",
                is_top="boolean",
            ),
            ("as_of", "version", "customer_id"),
            "exactly one named segment per customer, date and RFM version",
            added_defaults=(("version", "monetary"),),
        ),
        TableSpec(
            "risk",
            _t(
                as_of="date",
                customer_id="string",
                points="int32",
                level="string",
                reasons="string",
                segment="string",
                gap_days="int64",
                median_interval_days="float64",
                interval_source="string",
                recency_top="boolean",
                activity_recent="float64",
                activity_baseline="float64",
                baseline_weeks="int32",
                activity_z="float64",
                days_without_lessons="int64",
                nps_score="int16",
                autopay_cancelled_on="date",
                refund_requested_on="date",
                invoice_pending_on="date",
                downgrade_requested_on="date",
            ),
            ("as_of", "customer_id"),
            "churn-risk points, level and reasons (code:points, comma-separated, most "
            "points first) per customer of the monetary RFM, with the inputs of each reason",
        ),
        TableSpec(
            "waves",
            _t(
                wave_id="string",
                playbook="string",
                segment="string",
                starts_on="date",
                days="int32",
                status="string",
                seed="int64",
                as_of="date",
                arms="string",
                weights="string",
            ),
            ("wave_id",),
            "campaign waves; arms in planned order, weights as JSON {arm: share}",
            replace=True,
        ),
        TableSpec(
            "assignments",
            _t(wave_id="string", customer_id="string", arm="string", stratum="string"),
            ("wave_id", "customer_id"),
            "experiment arm of each wave member",
        ),
        TableSpec(
            "touches",
            _t(
                wave_id="string",
                customer_id="string",
                touch_no="int32",
                planned_at="timestamp",
                channel="string",
                pattern="string",
                is_promo="boolean",
                offer="string",
                deadline="timestamp",
                arm="string",
                offer_kind="string",
                purpose="string",
                condition="string",
                ends_at="timestamp",
                frequency="int32",
            ),
            ("wave_id", "customer_id", "touch_no"),
            "planned touches per customer (UTC; purpose marketing or service; condition: "
            "sent only if it holds when the touch is due; retargeting spans planned_at to "
            "ends_at at frequency impressions a day)",
        ),
        TableSpec(
            "exclusions",
            _t(
                wave_id="string",
                customer_id="string",
                touch_no="int32",
                reason_code="string",
                detail="string",
                action="string",
                channel="string",
                planned_at="timestamp",
                moved_to="timestamp",
                decided_at="timestamp",
            ),
            ("wave_id", "customer_id", "touch_no", "reason_code"),
            "why a customer was left out (touch_no 0, action excluded) or a touch removed, "
            "moved or changed, with the rule's reason code",
            added_defaults=(("action", "excluded"),),
        ),
    ]
}

ALL_TABLES: dict[str, TableSpec] = {**CANONICAL, **SYSTEM, **MARTS}

ORDER_STATUSES = ("paid", "partially_paid", "refunded", "cancelled", "pending")
ACTIVITY_KINDS = (
    "signup",
    "login",
    "course_start",
    "lesson_start",
    "lesson_finish",
    "module_finish",
    "homework_submitted",
    "homework_reviewed",
    "webinar_registered",
    "webinar_attended",
    "autopay_cancelled",
    "refund_requested",
    "invoice_pending",
    "downgrade_requested",
)
# enrolment events of a course presentation (OULAD registrations and unregistrations);
# kept apart from ACTIVITY_KINDS, whose order the simulator relies on
ENROLMENT_KINDS = ("course_registration", "course_withdrawal")
CHANNELS = ("email", "messenger", "sms", "push", "retargeting", "call", "service")
MESSAGE_EVENTS = (
    "sent",
    "delivered",
    "opened",
    "clicked",
    "unsubscribed",
    "complained",
    "bounced_hard",
    "bounced_soft",
    "impression",
)
CONSENT_PURPOSES = ("marketing", "personalisation", "service")

# columns whose values come from a closed list
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("orders", "status"): ORDER_STATUSES,
    ("activities", "kind"): (*ACTIVITY_KINDS, *ENROLMENT_KINDS),
    ("messages", "channel"): CHANNELS,
    ("messages", "event"): MESSAGE_EVENTS,
    ("consents", "channel"): CHANNELS,
    ("consents", "purpose"): CONSENT_PURPOSES,
}
