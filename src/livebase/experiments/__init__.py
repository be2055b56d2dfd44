"""Experiment measurement: engine aggregates per arm, then inference in Python.

The flow is ``arm_aggregates(con, wave_id)`` (one Ibis query, one row per arm) →
``readout(aggregates, control=..., planned_weights=...)`` (rates, uplift, p-values, SRM).
Results carry a status (``ok`` / ``control`` / ``insufficient_data`` with a reason code),
never a fake number.
"""

from livebase.experiments.aggregates import (
    ArmAggregate,
    arm_aggregates,
    arm_aggregates_expr,
    arm_nps_counts,
    payer_revenues,
)
from livebase.experiments.economics import Increment, allocate, incremental, wave_costs
from livebase.experiments.horizon import (
    HorizonAggregate,
    HorizonReadout,
    LtvMetric,
    ShareMetric,
    horizon_aggregates,
    horizon_metrics,
    horizon_readout,
)
from livebase.experiments.multiple import adjust, benjamini_hochberg, holm
from livebase.experiments.nps import (
    NpsDifference,
    NpsResult,
    nps_difference,
    nps_from_counts,
    nps_from_scores,
)
from livebase.experiments.power import (
    ArmPower,
    PowerCheck,
    achieved_power,
    detectable_effect,
    prelaunch_check,
    sample_size,
)
from livebase.experiments.proportions import (
    newcombe_interval,
    two_proportion_ztest,
    wilson_interval,
)
from livebase.experiments.readout import ArmResult, Readout, readout
from livebase.experiments.revenue import (
    BootstrapCI,
    MeanDiff,
    bootstrap_mean_ci,
    welch_from_stats,
)
from livebase.experiments.srm import SRM_THRESHOLD, SrmResult, srm_check
from livebase.experiments.status import REASONS, describe
from livebase.experiments.waves import WaveInfo, load_wave, parse_arms

__all__ = [
    "REASONS",
    "SRM_THRESHOLD",
    "ArmAggregate",
    "ArmPower",
    "ArmResult",
    "BootstrapCI",
    "HorizonAggregate",
    "HorizonReadout",
    "Increment",
    "LtvMetric",
    "MeanDiff",
    "NpsDifference",
    "NpsResult",
    "PowerCheck",
    "Readout",
    "ShareMetric",
    "SrmResult",
    "WaveInfo",
    "achieved_power",
    "adjust",
    "allocate",
    "arm_aggregates",
    "arm_aggregates_expr",
    "arm_nps_counts",
    "benjamini_hochberg",
    "bootstrap_mean_ci",
    "describe",
    "detectable_effect",
    "holm",
    "horizon_aggregates",
    "horizon_metrics",
    "horizon_readout",
    "incremental",
    "load_wave",
    "newcombe_interval",
    "nps_difference",
    "nps_from_counts",
    "nps_from_scores",
    "parse_arms",
    "payer_revenues",
    "prelaunch_check",
    "readout",
    "sample_size",
    "srm_check",
    "two_proportion_ztest",
    "wave_costs",
    "welch_from_stats",
    "wilson_interval",
]
