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
}


def describe(reason: str) -> str:
    """The English text of a reason code."""
    return REASONS[reason]
