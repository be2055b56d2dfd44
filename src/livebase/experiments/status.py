"""Statuses and reason codes that experiment results carry instead of fake numbers.

A result whose quantity is undefined has ``status = "insufficient_data"`` and a
``reason`` code from :data:`REASONS`; the number itself is ``None``. The codes are stable
(reports translate them through ``livebase.i18n`` keys ``reason.<code>``); the English
texts here are for logs and notebooks.

>>> describe("empty_arm")
'no customers assigned to this arm'
"""

from __future__ import annotations

from typing import Final, Literal

OK: Final = "ok"
CONTROL: Final = "control"
MISMATCH: Final = "mismatch"
INSUFFICIENT: Final = "insufficient_data"

ArmStatus = Literal["ok", "control", "insufficient_data"]
SrmStatus = Literal["ok", "mismatch", "insufficient_data"]

REASONS: dict[str, str] = {
    "empty_arm": "no customers assigned to this arm",
    "empty_control": "no customers assigned to the control arm",
    "no_conversions": "no conversions in this arm nor in control: the z-test is undefined",
    "all_converted": "every customer of this arm and of control converted: the z-test is undefined",
    "single_arm": "a sample ratio check needs at least two arms",
    "no_customers": "no customers assigned",
    "small_expected": "an arm's expected count is below 5: the chi-square test is unreliable",
    "no_history": (
        "nobody was in this sleep tier one wave length before the as-of date: "
        "no baseline conversion to check the power with"
    ),
    "baseline_degenerate": (
        "the tier's historical conversion is 0 % or 100 %: the power cannot be computed"
    ),
    "too_few_customers": "fewer than two customers in an arm: no variance can be estimated",
    "no_variance": "all values are equal: there is no spread to test or to resample",
    "too_few_payers": "fewer than two paying customers: no interval for revenue per payer",
    "no_answers": "no NPS answers",
    "too_few_answers": "fewer than 30 NPS answers: the normal approximation is unreliable",
    "no_orders": "no orders in this arm: values per order are undefined",
    "no_control_orders": "no orders in the control arm: the comparison is undefined",
    "zero_control_ltv": "the control arm's LTV is 0: a relative uplift is undefined",
    "horizon_not_reached": "the data do not reach the end of this horizon yet",
    "no_members": "this cohort has no members",
    "no_buyers": "nobody in this cohort has made a purchase",
    "no_purchases": "no purchases in this window: values per purchase are undefined",
    "no_active_members": "nobody in this cohort bought or learned in this window",
    "no_payers": "nobody in this cohort bought in this window",
    "no_acquisition_costs": "no acquisition costs are recorded for this cohort",
    "costs_not_attributable": "acquisition costs are not recorded by this attribute",
    "payback_not_reached": "the gross margin per customer has not reached CAC yet",
    "empty_level": "no customer has this risk level on this date",
    "no_churn": "nobody churned: lift and recall are undefined",
    "never_fired": "this risk reason fired for nobody on the backtest dates",
    "no_newcomers": "no customer made a first purchase in this period",
    "no_activity_data": "the store holds no activity events up to this date",
    "no_active_customers": "no customer bought or learned in this month",
    "no_ticket_data": "the support tickets do not cover this month",
}


def describe(reason: str) -> str:
    """The English text of a reason code."""
    return REASONS[reason]
