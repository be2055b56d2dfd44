"""JSON Schemas (draft 2020-12, as OpenAPI 3.1 embeds them) of the JSON twins' 200 answers.

Each schema describes the dict that :mod:`livebase.web.data` builds for one page, so the
OpenAPI document (``/openapi.json``) tells a client what it gets and a test can check
the answers against it. The schemas are plain dicts; :func:`ok_response` wraps one as
the ``responses`` entry of a FastAPI route.

The rules, one sentence each:

* Every key that :mod:`livebase.web.data` always writes is ``required``, even when its
  value may be ``null``.
* Every object allows keys the schema does not name (``additionalProperties`` is open),
  so a key added later does not break an older client.
* A map whose keys are data (arm → customers, channel → touches, reason → customers) is
  an object whose every value has the one type given.
* A value may be ``null`` exactly where :mod:`livebase.web.data` may return ``None``: an
  undefined number (next to its ``status`` and ``reason``), an optional filter, a column
  the store may leave empty.
* Money is a string with two decimals (``"1234.50"``, :func:`livebase.web.data.money`)
  and its float twin ``<field>_value`` a number; the attribution block keeps the decimal
  text of :meth:`livebase.attribution.Attribution.to_dict`.
* A day is ISO text ``YYYY-MM-DD``; a timestamp ISO text without a zone.
* Counts are integers; shares, rates, p-values and means are numbers.
* The segments page's ``migration`` is either ``{"status": "ok", ...the migration}`` or
  ``{"status": "insufficient_data", "reason": ...}``.

>>> sorted(TWIN_SCHEMAS)[:3]
['cohorts_json', 'customer_json', 'events_json']
>>> ok_response("risk_json")[200]["content"]["application/json"]["schema"]["type"]
'object'
"""

from __future__ import annotations

import copy
from typing import Any

Schema = dict[str, Any]

DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
MONEY_PATTERN = r"^-?\d+\.\d{2}$"
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


# ------------------------------------------------------------------ building blocks


def _nullable(schema: Schema, nullable: bool) -> Schema:
    if not nullable:
        return schema
    out = dict(schema)
    kind = out["type"]
    out["type"] = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
    return out


def string(nullable: bool = False) -> Schema:
    return _nullable({"type": "string"}, nullable)


def integer(nullable: bool = False) -> Schema:
    return _nullable({"type": "integer"}, nullable)


def number(nullable: bool = False) -> Schema:
    return _nullable({"type": "number"}, nullable)


def boolean(nullable: bool = False) -> Schema:
    return _nullable({"type": "boolean"}, nullable)


def day(nullable: bool = False) -> Schema:
    return _nullable({"type": "string", "pattern": DAY_PATTERN}, nullable)


def timestamp(nullable: bool = False) -> Schema:
    return _nullable({"type": "string", "pattern": TIMESTAMP_PATTERN}, nullable)


def money(nullable: bool = False) -> Schema:
    return _nullable({"type": "string", "pattern": MONEY_PATTERN}, nullable)


def decimal_text(nullable: bool = False) -> Schema:
    return _nullable({"type": "string", "pattern": DECIMAL_PATTERN}, nullable)


def array(items: Schema, nullable: bool = False) -> Schema:
    return _nullable({"type": "array", "items": items}, nullable)


def pair(nullable: bool = False) -> Schema:
    """An interval: two numbers (low, high)."""
    return _nullable({"type": "array", "items": number(), "minItems": 2, "maxItems": 2}, nullable)


def mapping(values: Schema, nullable: bool = False) -> Schema:
    """An object whose keys are data and whose every value is ``values``."""
    return _nullable({"type": "object", "additionalProperties": values}, nullable)


def obj(properties: dict[str, Schema], nullable: bool = False, **extra: Any) -> Schema:
    """An object with every named key required and any other key allowed."""
    return _nullable(
        {
            "type": "object",
            "required": list(properties),
            "properties": properties,
            "additionalProperties": True,
            **extra,
        },
        nullable,
    )


ANY_OBJECT = {"type": "object", "additionalProperties": True}
STATUS_OK = {"type": "string", "const": "ok"}
STATUS_INSUFFICIENT = {"type": "string", "const": "insufficient_data"}


# ------------------------------------------------------------------------ overview

_ALERT = obj(
    {
        "key": string(),
        "scope": string(),
        "status": string(),
        "value": number(nullable=True),
        "threshold": number(),
        "numerator": number(nullable=True),
        "denominator": number(nullable=True),
        "interval": pair(nullable=True),
        "reason": string(nullable=True),
        "detail": ANY_OBJECT,
    }
)

OVERVIEW = obj(
    {
        "as_of": day(),
        "data_end": day(),
        "currency": string(),
        "revenue_30d": obj(
            {
                "start": day(),
                "end": day(),
                "days": integer(),
                "orders": integer(),
                "revenue": money(),
                "revenue_value": number(),
            }
        ),
        "active_base": obj(
            {
                "customers": integer(),
                "scored": integer(),
                "share": number(nullable=True),
                "days": integer(),
            }
        ),
        "champions": obj(
            {
                "segment": string(),
                "customers": integer(),
                "share": number(),
                "revenue": money(nullable=True),
                "revenue_value": number(nullable=True),
                "revenue_share": number(nullable=True),
            }
        ),
        "churn_180": obj(
            {
                "customers": integer(),
                "scored": integer(),
                "share": number(nullable=True),
                "days": integer(),
                "cohort": obj(
                    {
                        "kind": string(),
                        "cohort": string(),
                        "value": number(),
                        "status": string(),
                        "members": integer(),
                        "members_reached": integer(),
                        "churned": integer(nullable=True),
                    },
                    nullable=True,
                ),
            }
        ),
        "alerts": obj(
            {
                "start": day(),
                "end": day(),
                "checked": integer(),
                "alerting": integer(),
                "insufficient": integer(),
                "items": array(_ALERT),
            }
        ),
    }
)


# ------------------------------------------------------------------------ segments

_SEGMENT_ROW = obj(
    {
        "segment": string(),
        "customers": integer(),
        "share": number(),
        "revenue": money(nullable=True),
        "revenue_value": number(nullable=True),
        "revenue_share": number(nullable=True),
        "mean_recency": number(nullable=True),
        "mean_frequency": number(nullable=True),
        "mean_monetary": money(nullable=True),
    }
)

GRID = obj(
    {
        "as_of": day(),
        "version": string(),
        "segment": string(nullable=True),
        "bins": integer(),
        "m_unit": {"type": "string", "enum": ["money", "units"]},
        "currency": string(),
        "customers": integer(),
        "cells": array(
            obj(
                {
                    "r": integer(),
                    "f": integer(),
                    "customers": integer(),
                    "mean_m": money(nullable=True),
                    "mean_m_value": number(nullable=True),
                }
            )
        ),
        "segments": array(_SEGMENT_ROW),
        "scale_notes": array(
            obj(
                {
                    "axis": string(),
                    "bins": integer(),
                    "customers": integer(),
                    "distinct_values": integer(),
                    "scores_used": integer(),
                    "largest_tie_share": number(),
                    "message": string(nullable=True),
                }
            )
        ),
    }
)

TREND = obj(
    {
        "dates": array(day()),
        "segments": array(string()),
        "currency": string(),
        "series": array(
            obj(
                {
                    "segment": string(),
                    "customers": array(integer()),
                    "share": array(number(nullable=True)),
                    "revenue": array(money(nullable=True)),
                    "revenue_value": array(number(nullable=True)),
                    "revenue_share": array(number(nullable=True)),
                }
            )
        ),
    }
)

MIGRATION_OK = obj(
    {
        "status": STATUS_OK,
        "date_from": day(),
        "date_to": day(),
        "nodes": array(
            obj(
                {
                    "id": string(),
                    "side": {"type": "string", "enum": ["from", "to"]},
                    "segment": string(),
                    "customers": integer(),
                }
            )
        ),
        "links": array(
            obj(
                {
                    "source": integer(),
                    "target": integer(),
                    "from": string(),
                    "to": string(),
                    "customers": integer(),
                    "share": number(nullable=True),
                }
            )
        ),
        "matrix": obj(
            {
                "rows": array(string()),
                "columns": array(string()),
                "counts": array(array(integer())),
            }
        ),
        "stayed": integer(),
        "moved": integer(),
        "new": integer(),
        "gone": integer(),
    }
)

INSUFFICIENT = obj({"status": STATUS_INSUFFICIENT, "reason": string()})

SEGMENTS = obj(
    {
        "grid": GRID,
        "trend": TREND,
        "migration": {"oneOf": [MIGRATION_OK, INSUFFICIENT]},
    }
)


# ------------------------------------------------------------------------- cohorts

_COHORT_CELL = obj(
    {
        "metric": string(),
        "value": number(nullable=True),
        "status": string(),
        "reason": string(nullable=True),
        "numerator": integer(nullable=True),
        "base": integer(nullable=True),
        "members_reached": integer(),
    }
)

COHORTS = obj(
    {
        "kind": string(),
        "anchor": string(),
        "as_of": day(),
        "metrics": array(string()),
        "without_anchor": integer(),
        "rows": array(
            obj(
                {
                    "cohort": string(),
                    "members": integer(),
                    "cells": array(_COHORT_CELL),
                    "churn_180": _COHORT_CELL,
                }
            )
        ),
    }
)


# ---------------------------------------------------------------------------- risk

_RISK_FIELDS: dict[str, Schema] = {
    "score": integer(),
    "level": string(),
    "segment": string(nullable=True),
    "reasons": array(obj({"code": string(), "points": integer(), "params": ANY_OBJECT})),
    "gap_days": integer(nullable=True),
    "median_interval_days": number(nullable=True),
    "interval_source": string(nullable=True),
}

RISK = obj(
    {
        "as_of": day(),
        "level": string(nullable=True),
        "segment": string(nullable=True),
        "limit": integer(),
        "customers": integer(),
        "matching": integer(),
        "medium_from": integer(),
        "high_from": integer(),
        "levels": array(obj({"level": string(), "customers": integer(), "share": number()})),
        "reasons": array(
            obj(
                {
                    "code": string(),
                    "points": integer(),
                    "customers": integer(),
                    "share": number(),
                }
            )
        ),
        "rows": array(obj({"customer_id": string(), **_RISK_FIELDS})),
    }
)


# --------------------------------------------------------------------------- waves

WAVE_ROW = obj(
    {
        "wave_id": string(),
        "playbook": string(nullable=True),
        "segment": string(nullable=True),
        "starts_on": day(nullable=True),
        "ends_on": day(nullable=True),
        "days": integer(nullable=True),
        "status": string(nullable=True),
        "as_of": day(nullable=True),
        "arms": array(string()),
        "weights": mapping(number()),
        "assigned": mapping(integer()),
        "assigned_total": integer(),
        "touches_planned": integer(),
        "touches_by_channel": mapping(integer()),
        "excluded": mapping(integer()),
        "excluded_total": integer(),
    }
)

WAVES = obj(
    {
        "date_from": day(nullable=True),
        "date_to": day(nullable=True),
        "segment": string(nullable=True),
        "segments": array(string()),
        "waves": array(WAVE_ROW),
        "first_day": day(nullable=True),
        "last_day": day(nullable=True),
    }
)

_INCREMENT = obj(
    {
        "arm": string(),
        "control": string(),
        "status": string(),
        "n_test": integer(),
        "n_control": integer(),
        "payers_test": integer(),
        "payers_control": integer(),
        "rate_test": number(nullable=True),
        "rate_control": number(nullable=True),
        "uplift_pp": number(nullable=True),
        "uplift_ci_pp": pair(nullable=True),
        "baseline_orders": number(nullable=True),
        "incremental_orders": number(nullable=True),
        "incremental_orders_ci": pair(nullable=True),
        "aov": money(nullable=True),
        "incremental_revenue": money(nullable=True),
        "gross_margin": number(),
        "marketing_cost": money(),
        "incremental_gross_margin": money(nullable=True),
        "alpha": number(),
        "reason": string(nullable=True),
        "method": string(),
    },
    nullable=True,
)

_REVENUE_TEST = obj(
    {
        "status": string(),
        "reason": string(nullable=True),
        "mean1": number(nullable=True),
        "mean2": number(nullable=True),
        "diff": number(nullable=True),
        "ci": pair(nullable=True),
        "t": number(nullable=True),
        "df": number(nullable=True),
        "p_value": number(nullable=True),
    },
    nullable=True,
)

_SRM = obj(
    {
        "status": string(),
        "arms": array(string()),
        "observed": array(integer()),
        "expected": array(number()),
        "weights": array(number()),
        "chi2": number(nullable=True),
        "p_value": number(nullable=True),
        "threshold": number(),
        "reason": string(nullable=True),
    },
    nullable=True,
)

_ARM = obj(
    {
        "arm": string(),
        "status": string(),
        "reason": string(nullable=True),
        "is_control": boolean(),
        "n": integer(),
        "conversions": integer(),
        "orders": integer(),
        "revenue": money(),
        "revenue_value": number(),
        "rate": number(nullable=True),
        "rate_ci_low": number(nullable=True),
        "rate_ci_high": number(nullable=True),
        "uplift_pp": number(nullable=True),
        "ci_low": number(nullable=True),
        "ci_high": number(nullable=True),
        "p_value": number(nullable=True),
        "p_holm": number(nullable=True),
        "p_bh": number(nullable=True),
        "revenue_per_assigned": money(nullable=True),
        "aov": money(nullable=True),
        "arppu": money(nullable=True),
        "detectable_pp": number(nullable=True),
        "revenue_test": _REVENUE_TEST,
        "increment": _INCREMENT,
        "verdict": string(),
    }
)

WAVE = obj(
    {
        "wave": WAVE_ROW,
        "lang": {"type": "string", "enum": ["ru", "en"]},
        "currency": string(),
        "window": obj({"days": integer(), "start": day(), "end_inclusive": day()}),
        "plan": obj(
            {
                "assigned": mapping(integer()),
                "touches_planned": integer(),
                "touches_by_channel": mapping(integer()),
                "touches_by_arm": mapping(integer()),
                "touches_by_purpose": mapping(integer()),
            }
        ),
        "exclusions": array(
            obj(
                {
                    "reason_code": string(nullable=True),
                    "action": string(nullable=True),
                    "rows": integer(),
                    "customers": integer(),
                }
            )
        ),
        "readout": obj(
            {
                "control": string(),
                "alpha": number(),
                "test": string(),
                "adjust_across": string(),
                "power": number(),
                "aa": boolean(),
                "srm": _SRM,
                "arms": array(_ARM),
            }
        ),
        "decision": string(),
        "whole": obj(
            {
                "status": string(),
                "reason": string(nullable=True),
                "until": timestamp(nullable=True),
                "incremental_orders": number(nullable=True),
                "incremental_orders_low": number(nullable=True),
                "incremental_orders_high": number(nullable=True),
                "incremental_revenue": money(nullable=True),
                "increment": _INCREMENT,
            }
        ),
        "money": obj(
            {
                "incremental_revenue": money(nullable=True),
                "incremental_revenue_value": number(nullable=True),
                "cost_total": money(),
                "cost_total_value": number(),
                "gross_margin": number(),
                "margin_after_costs": money(nullable=True),
                "margin_after_costs_value": number(nullable=True),
            }
        ),
        "attributed_vs_incremental": obj(
            {
                "orders_paid": integer(),
                "revenue_paid": money(),
                "orders_attributed": integer(),
                "revenue_attributed": money(),
                "revenue_attributed_value": number(),
                "incremental_orders": number(nullable=True),
                "incremental_revenue": money(nullable=True),
                "incremental_revenue_value": number(nullable=True),
                "over_credit": number(nullable=True),
            }
        ),
        "attribution": obj(
            {
                "start": timestamp(),
                "end": timestamp(),
                "window_days": integer(),
                "view_through": array(string()),
                "wave_id": string(nullable=True),
                "status": string(),
                "reason": string(nullable=True),
                "orders_paid": integer(),
                "orders_attributed": integer(),
                "orders_unattributed": integer(),
                "revenue_paid": decimal_text(),
                "revenue_attributed": decimal_text(),
                "revenue_unattributed": decimal_text(),
                "credits": array(
                    obj(
                        {
                            "model": string(),
                            "channel": string(),
                            "orders": number(),
                            "revenue": decimal_text(),
                            "revenue_value": number(),
                        }
                    )
                ),
                "assisted": array(
                    obj(
                        {
                            "channel": string(),
                            "orders": integer(),
                            "share_of_paid": number(nullable=True),
                            "share_of_attributed": number(nullable=True),
                        }
                    )
                ),
                "models": array(string()),
            }
        ),
        "offers": array(
            obj(
                {
                    "channel": string(),
                    "offer_type": string(nullable=True),
                    "orders": number(),
                    "revenue": money(),
                    "revenue_value": number(),
                }
            )
        ),
        "extras": array(
            obj(
                {
                    "arm": string(),
                    "assigned": integer(),
                    "payers": integer(),
                    "purchases": integer(),
                    "refunds": integer(),
                    "refunded_amount": money(),
                    "upsell_buyers": integer(),
                    "upsells": integer(),
                    "upsell_revenue": money(),
                    "refund_rate": number(nullable=True),
                    "upsell_share": number(nullable=True),
                }
            )
        ),
        "costs": array(obj({"channel": string(), "amount": money(), "amount_value": number()})),
    }
)


# ------------------------------------------------------------------------ customer

_TOUCH = obj(
    {
        "wave_id": string(),
        "touch_no": integer(),
        "planned_at": timestamp(nullable=True),
        "channel": string(nullable=True),
        "pattern": string(nullable=True),
        "is_promo": boolean(nullable=True),
        "offer": string(nullable=True),
        "deadline": timestamp(nullable=True),
        "arm": string(nullable=True),
        "offer_kind": string(nullable=True),
        "purpose": string(nullable=True),
        "condition": string(nullable=True),
        "ends_at": timestamp(nullable=True),
        # read through pandas: a column with gaps arrives as a float (3.0)
        "frequency": number(nullable=True),
    }
)

_CONSENT_FIELDS: dict[str, Schema] = {
    "channel": string(),
    "purpose": string(),
    "granted": boolean(nullable=True),
    "ts": timestamp(nullable=True),
    "offer_version": string(nullable=True),
    "source": string(nullable=True),
    "given_by": string(nullable=True),
}

CUSTOMER = obj(
    {
        "customer_id": string(),
        "as_of": day(nullable=True),
        "lang": {"type": "string", "enum": ["ru", "en"]},
        "currency": string(),
        "timezone": string(),
        "profile": obj(
            {
                "created_at": timestamp(nullable=True),
                "region": string(nullable=True),
                "timezone": string(nullable=True),
                "first_channel": string(nullable=True),
                "is_corporate": boolean(nullable=True),
                "has_child": boolean(),
                "last_seen_at": timestamp(nullable=True),
            },
            nullable=True,
        ),
        "segment": obj(
            {
                "as_of": day(),
                "segment": string(),
                "name": string(),
                "rule": string(nullable=True),
                "sleep_tier": string(nullable=True),
                "is_top": boolean(nullable=True),
            },
            nullable=True,
        ),
        "segment_history": array(
            obj({"as_of": day(), "segment": string(), "rule": string(nullable=True)})
        ),
        "rfm": obj(
            {
                "recency_days": integer(nullable=True),
                "frequency": integer(nullable=True),
                "monetary": money(nullable=True),
                "monetary_value": number(nullable=True),
                "r": integer(nullable=True),
                "f": integer(nullable=True),
                "m": integer(nullable=True),
            },
            nullable=True,
        ),
        "risk": obj({"as_of": day(), **_RISK_FIELDS}, nullable=True),
        "waves": array(
            obj(
                {
                    "wave_id": string(),
                    "playbook": string(),
                    "planned_on": day(nullable=True),
                    "segment": string(nullable=True),
                    "rule": string(nullable=True),
                    "arm": string(nullable=True),
                    "stratum": string(nullable=True),
                    "excluded": array(
                        obj({"reason_code": string(), "detail": string(nullable=True)})
                    ),
                    "decisions": array(
                        obj(
                            {
                                "touch_no": integer(),
                                "reason_code": string(),
                                "action": string(nullable=True),
                                "detail": string(nullable=True),
                                "channel": string(nullable=True),
                                "planned_at": timestamp(nullable=True),
                                "moved_to": timestamp(nullable=True),
                            }
                        )
                    ),
                    "touches": array(_TOUCH),
                }
            )
        ),
        "touches_planned": array(_TOUCH),
        "messages": array(
            obj(
                {
                    "event_id": string(),
                    "ts": timestamp(nullable=True),
                    "channel": string(nullable=True),
                    "event": string(nullable=True),
                    "campaign_id": string(nullable=True),
                    "wave_id": string(nullable=True),
                    "arm": string(nullable=True),
                    "touch_id": string(nullable=True),
                    "is_promo": boolean(nullable=True),
                    "offer_type": string(nullable=True),
                }
            )
        ),
        "messages_total": integer(),
        "messages_sent": integer(),
        "consents": obj(
            {
                "state": array(obj(_CONSENT_FIELDS)),
                "history": array(obj(_CONSENT_FIELDS)),
            }
        ),
        "orders": array(
            obj(
                {
                    "order_id": string(),
                    "created_at": timestamp(nullable=True),
                    "paid_at": timestamp(nullable=True),
                    "status": string(nullable=True),
                    "amount": money(nullable=True),
                    "amount_value": number(nullable=True),
                    "refunded_amount": money(nullable=True),
                    "currency": string(nullable=True),
                    "product_id": string(nullable=True),
                    "product_title": string(nullable=True),
                    "category": string(nullable=True),
                    "plan_id": string(nullable=True),
                    "offer_id": string(nullable=True),
                    "discount_amount": money(nullable=True),
                    "utm_campaign": string(nullable=True),
                    "counted": boolean(),
                }
            )
        ),
        "orders_total": integer(),
        "orders_counted": integer(),
    }
)


# ----------------------------------------------------------------- wave audiences

WAVE_AUDIENCES = obj(
    {
        "wave_id": string(),
        "arm": string(nullable=True),
        "channel": string(nullable=True),
        "arms": array(obj({"arm": string(), "customers": integer()})),
        "total": integer(),
        "offset": integer(),
        "limit": integer(),
        "rows": array(
            obj(
                {
                    "customer_id": string(),
                    "arm": string(),
                    "stratum": string(nullable=True),
                    "channels": array(string()),
                }
            )
        ),
    }
)


# ------------------------------------------------------------------- webhook events

EVENTS = obj(
    {
        "status": string(nullable=True),
        "source": string(nullable=True),
        "limit": integer(),
        "total": integer(),
        "matching": integer(),
        "last_received_at": timestamp(nullable=True),
        "by_status": array(obj({"status": string(), "events": integer()})),
        "by_source": array(
            obj(
                {
                    "source": string(nullable=True),
                    "kind": string(nullable=True),
                    "stored": integer(),
                    "rejected": integer(),
                }
            )
        ),
        "rows": array(
            obj(
                {
                    "event_id": string(),
                    "source": string(nullable=True),
                    "kind": string(nullable=True),
                    "received_at": timestamp(nullable=True),
                    "status": string(nullable=True),
                    "reason": string(nullable=True),
                }
            )
        ),
    }
)


# ------------------------------------------------------------------------- exports

TWIN_SCHEMAS: dict[str, Schema] = {
    "overview_json": OVERVIEW,
    "segments_json": SEGMENTS,
    "cohorts_json": COHORTS,
    "risk_json": RISK,
    "waves_json": WAVES,
    "wave_json": WAVE,
    "customer_json": CUSTOMER,
    "wave_audiences_json": WAVE_AUDIENCES,
    "events_json": EVENTS,
}

DESCRIPTIONS = {
    "overview_json": "The head of school's KPIs: revenue, active base, 555, churn 180, alerts",
    "segments_json": "The R × F grid, segment sizes over time and the migration between dates",
    "cohorts_json": "The retention heatmap: D7/D30/D60 and churn 180 per cohort",
    "risk_json": "The riskiest customers with their reasons, level and reason counts",
    "waves_json": "The wave calendar: arms, assigned customers, planned touches, exclusions",
    "wave_json": "One wave: plan, exclusions, readout per arm, decision and attribution",
    "customer_json": "A customer's card: segment and rule, risk, waves, messages, consents",
    "wave_audiences_json": "A wave's assigned customers per arm, one page of them",
    "events_json": "The webhook's events, newest first, stored or rejected with the reason",
}


def ok_response(name: str) -> dict[int, dict[str, Any]]:
    """The FastAPI ``responses`` entry of a twin's 200 answer (a fresh copy each call).

    >>> ok_response("waves_json")[200]["description"]
    'The wave calendar: arms, assigned customers, planned touches, exclusions'
    """
    if name not in TWIN_SCHEMAS:
        raise KeyError(f"no schema {name!r} (one of {', '.join(sorted(TWIN_SCHEMAS))})")
    return {
        200: {
            "description": DESCRIPTIONS[name],
            "content": {"application/json": {"schema": copy.deepcopy(TWIN_SCHEMAS[name])}},
        }
    }


__all__ = ["DESCRIPTIONS", "TWIN_SCHEMAS", "ok_response"]
