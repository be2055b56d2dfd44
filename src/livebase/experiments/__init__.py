"""Experiment measurement: engine aggregates per arm, then inference in Python.

The flow is ``arm_aggregates(con, wave_id)`` (one Ibis query, one row per arm) →
``readout(aggregates, control=..., planned_weights=...)`` (rates, uplift, p-values, SRM).
Results carry a status (``ok`` / ``control`` / ``insufficient_data`` with a reason code),
never a fake number.
"""

from livebase.experiments.aggregates import (
    RELEVANT_STATUSES,
    ArmAggregate,
    arm_aggregates,
    arm_aggregates_expr,
)
from livebase.experiments.proportions import (
    newcombe_interval,
    two_proportion_ztest,
    wilson_interval,
)
from livebase.experiments.readout import ArmResult, Readout, readout
from livebase.experiments.srm import SRM_THRESHOLD, SrmResult, srm_check
from livebase.experiments.status import REASONS, describe
from livebase.experiments.waves import WaveInfo, load_wave, parse_arms

__all__ = [
    "REASONS",
    "RELEVANT_STATUSES",
    "SRM_THRESHOLD",
    "ArmAggregate",
    "ArmResult",
    "Readout",
    "SrmResult",
    "WaveInfo",
    "arm_aggregates",
    "arm_aggregates_expr",
    "describe",
    "load_wave",
    "newcombe_interval",
    "parse_arms",
    "readout",
    "srm_check",
    "two_proportion_ztest",
    "wilson_interval",
]
