"""Power and sample size for a conversion experiment (SPEC F5.2, F4.4).

Rates and effects are fractions (``0.04`` = 4 p.p.); the minimum detectable effect
(MDE) is an *absolute* increase: the test arm's rate is ``baseline + mde``. The test is
the two-sided two-proportion z-test of the readout, and the sizes come from the usual
normal approximation on Cohen's arcsine effect size

    h = 2·asin(√(baseline + mde)) − 2·asin(√baseline)

(``statsmodels.stats.proportion.proportion_effectsize``). With ``n`` customers in the
test arm and ``ratio × n`` in control the statistic's mean is ``h·√n_eff``,
``n_eff = 1 / (1/n + 1/(ratio·n))``, and the power is
``Φ(h·√n_eff − z) + Φ(−h·√n_eff − z)`` with ``z = z_{1−α/2}``
(``statsmodels.stats.power.NormalIndPower``: its ``solve_power`` gives the sample size;
the effect size, which its solver finds only to about 5e-6, is solved from the same
power function with ``scipy.optimize.brentq``). Without the second, negligible tail this
is the textbook ``n = (z_{1−α/2} + z_{power})² · (1 + 1/ratio) / h²``.

Seed 003 says "MDE 4 p.p., α 5 %, power 80 %: at least 450 per variant" with a control
baseline of 9.3 %. The numbers do not agree:

* h = 2·asin(√0.133) − 2·asin(√0.093) = 2·(0.373302 − 0.309895) = 0.126812;
* n = (1.959964 + 0.841621)² · 2 / 0.126812² = 7.848880 · 2 / 0.0160814 = 976.14,
  so **977 per arm** with equal arms (the solver's 976.1414 counts the other tail too);
  450 per arm detects only +6.1 p.p. with 80 % power;
* the seed's actual arms, 492 in a test arm and 368 in control, had a power of
  **45.2 %** for +4 p.p. (n_eff = 1/(1/492 + 1/368) = 210.53, h·√n_eff = 1.8400,
  Φ(1.8400 − 1.9600) = 0.4523); at those sizes the MDE with 80 % power is **+6.3 p.p.**
  (h = 0.193084, 9.3 % → 15.63 %). A 4 p.p. MDE at the seed's 368/492 control ratio
  needs 1,141 per test arm and 854 in control.

>>> sample_size(0.093, 0.04)
977
>>> round(achieved_power(0.093, 0.04, 492, 368), 4)
0.4523
>>> round(detectable_effect(0.093, 492, ratio=368 / 492), 4)
0.0633
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from scipy import optimize
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from livebase.errors import InputError, InsufficientData
from livebase.experiments.status import INSUFFICIENT, OK

UNDERPOWERED: Literal["underpowered"] = "underpowered"
PowerStatus = Literal["ok", "underpowered", "insufficient_data"]

# statsmodels' solver searches nobs1 from 2 upwards: fewer than 2 per arm is never asked for
MIN_N = 2


def _check_probability(name: str, value: float) -> float:
    if not (math.isfinite(value) and 0 < value < 1):
        raise InputError(f"{name} must be between 0 and 1 (exclusive), got {value}")
    return float(value)


def _check_baseline(baseline: float) -> None:
    if not math.isfinite(baseline) or not 0 < baseline < 1:
        raise InputError(
            f"the baseline conversion must be a fraction strictly between 0 and 1 "
            f"(0.093 = 9.3 %), got {baseline}: a rate of 0 or 1 has no variance to plan with"
        )


def _check_rates(baseline: float, mde: float) -> None:
    _check_baseline(baseline)
    if not math.isfinite(mde) or mde <= 0:
        raise InputError(
            f"the minimum detectable effect must be a positive fraction (0.04 = 4 p.p.), got {mde}"
        )
    if baseline + mde >= 1:
        raise InputError(
            f"baseline {baseline:g} + MDE {mde:g} = {baseline + mde:g} is not a rate below 1: "
            "give both as fractions (0.04 = 4 p.p.) and keep their sum below 1"
        )


def _check_test(alpha: float, power: float) -> None:
    _check_probability("alpha", alpha)
    _check_probability("power", power)
    if power <= alpha:
        raise InputError(f"power ({power}) must be above alpha ({alpha})")


def _check_ratio(ratio: float) -> float:
    if not (math.isfinite(ratio) and ratio > 0):
        raise InputError(f"ratio (control / test arm size) must be positive, got {ratio}")
    return float(ratio)


def effect_size(baseline: float, mde: float) -> float:
    """Cohen's h of ``baseline + mde`` against ``baseline`` (positive).

    >>> round(effect_size(0.093, 0.04), 6)
    0.126812
    """
    _check_rates(baseline, mde)
    return float(proportion_effectsize(baseline + mde, baseline))


def _solve(**kwds: float | None) -> float:
    """``NormalIndPower().solve_power`` with its warnings turned into a clear error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = float(NormalIndPower().solve_power(**kwds))
    if caught or not math.isfinite(value):
        raise InsufficientData(f"the power equation has no solution for {kwds}")
    return value


def _n_exact(h: float, *, alpha: float, power: float, ratio: float) -> float:
    """The unrounded test-arm size with ``power`` (at least :data:`MIN_N`)."""
    if NormalIndPower().power(h, MIN_N, alpha, ratio=ratio) >= power:
        return float(MIN_N)
    return _solve(effect_size=h, nobs1=None, alpha=alpha, power=power, ratio=ratio)


def _h_exact(n: float, *, alpha: float, power: float, ratio: float) -> float | None:
    """The effect size h with ``power`` at these sizes, or ``None`` above h = π.

    statsmodels' ``solve_power`` stops at a loose tolerance for the effect size (about
    5e-6 relative), so this solves the same equation — statsmodels' own power function
    — with ``brentq`` to machine precision. h = π is the largest arcsine difference
    (a rate of 0 against 1).
    """
    model = NormalIndPower()

    def gap(h: float) -> float:
        return float(model.power(h, n, alpha, ratio=ratio)) - power

    if gap(math.pi) < 0:
        return None
    return float(optimize.brentq(gap, 0.0, math.pi, xtol=1e-15, rtol=4 * sys.float_info.epsilon))


def sample_size(
    baseline: float, mde: float, *, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> int:
    """Customers needed in the test arm (control: ``ratio ×`` that), rounded up.

    Two-sided test at ``alpha``; never fewer than 2. Seed 000's R90 tier: 3.2 % baseline,
    +2 p.p.: h = 0.100411, n = 7.848880 · 2 / 0.100411² = 1556.94 → 1557 per arm.

    >>> sample_size(0.032, 0.02)
    1557
    >>> sample_size(0.093, 0.04, ratio=368 / 492)
    1141
    """
    _check_test(alpha, power)
    ratio = _check_ratio(ratio)
    h = effect_size(baseline, mde)
    return max(MIN_N, math.ceil(_n_exact(h, alpha=alpha, power=power, ratio=ratio)))


def detectable_effect(
    baseline: float,
    n_per_arm: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> float:
    """The smallest absolute increase of ``baseline`` detectable with ``power``.

    ``n_per_arm`` customers in the test arm, ``ratio × n_per_arm`` in control. Solves
    the power equation for h (:func:`_h_exact`), then inverts the arcsine transform:
    ``sin²(asin(√baseline) + h/2) − baseline``. When even a rate of 100 % would not be
    detected the effect does not exist: :class:`InsufficientData`.

    >>> round(detectable_effect(0.093, 977), 5)
    0.03998
    >>> detectable_effect(0.5, 3)
    Traceback (most recent call last):
    ...
    livebase.errors.InsufficientData: with 3 customers in the test arm ... not detectable from 0.5
    """
    _check_test(alpha, power)
    ratio = _check_ratio(ratio)
    _check_baseline(baseline)
    if not (math.isfinite(n_per_arm) and n_per_arm > 0):
        raise InputError(f"n_per_arm must be positive, got {n_per_arm}")
    h = _h_exact(float(n_per_arm), alpha=alpha, power=power, ratio=ratio)
    angle = math.pi if h is None else math.asin(math.sqrt(baseline)) + h / 2
    if angle >= math.pi / 2:
        raise InsufficientData(
            f"with {n_per_arm:g} customers in the test arm and {ratio * n_per_arm:g} in control "
            f"even a rate of 100 % is not detectable from {baseline:g}"
        )
    return math.sin(angle) ** 2 - baseline


def achieved_power(
    baseline: float, mde: float, n_test: int, n_control: int, *, alpha: float = 0.05
) -> float:
    """The power of the two-sided test to detect ``baseline + mde`` with these arm sizes.

    >>> round(achieved_power(0.093, 0.04, 977, 977), 4)
    0.8003
    """
    _check_probability("alpha", alpha)
    if n_test < 0 or n_control < 0:
        raise InputError(f"arm sizes must not be negative: {n_test} and {n_control}")
    if n_test == 0 or n_control == 0:
        raise InsufficientData("power needs customers in both arms")
    h = effect_size(baseline, mde)
    return float(NormalIndPower().power(h, n_test, alpha, ratio=n_control / n_test))


@dataclass(frozen=True)
class ArmPower:
    """One test arm against control at the planned sizes.

    ``required_n``: the arm's size for ``power`` at this arm's control ratio
    (``n_control / n``); ``detectable``: the smallest increase detectable with ``power``
    at the actual sizes (``None`` when no rate up to 100 % is). Numbers are ``None``
    when the arm is empty (``status = "insufficient_data"``, ``reason = "empty_arm"``).
    """

    arm: str
    n: int
    n_control: int
    status: PowerStatus
    required_n: int | None = None
    required_control: int | None = None
    achieved_power: float | None = None
    detectable: float | None = None
    reason: str | None = None
    baseline: float = 0.0
    mde: float = 0.0
    alpha: float = 0.05
    power: float = 0.8

    def describe(self, lang: str = "en") -> str:
        """The check of this arm as one sentence in ``lang``."""
        from livebase.i18n import (
            format_alpha,
            format_number,
            format_percent,
            format_pp,
            t,
        )

        if self.status == INSUFFICIENT:
            reason = t(f"reason.{self.reason}", lang)
            return t("power.insufficient", lang, arm=self.arm, reason=reason)
        detectable = (
            t("power.undetectable", lang)
            if self.detectable is None
            else format_pp(self.detectable * 100, lang)
        )
        return t(
            f"power.{self.status}",
            lang,
            arm=self.arm,
            n=format_number(self.n, lang),
            n_control=format_number(self.n_control, lang),
            required=format_number(self.required_n, lang),
            required_control=format_number(self.required_control, lang),
            mde=format_pp(self.mde * 100, lang),
            baseline=format_percent(self.baseline, lang),
            alpha=format_alpha(self.alpha, lang),
            target=format_percent(self.power, lang, digits=0),
            power=format_percent(self.achieved_power, lang),
            detectable=detectable,
        )

    @property
    def message(self) -> str:
        """:meth:`describe` in English."""
        return self.describe("en")


@dataclass(frozen=True)
class PowerCheck:
    """The pre-launch check of a wave: every test arm against control (SPEC F4.4).

    ``status``: ``ok`` when every test arm reaches ``power`` for ``mde``;
    ``underpowered`` when some arm does not (or is empty); ``insufficient_data`` when
    there is nothing to compare (no customer in control: ``empty_control``; no test arm:
    ``single_arm``).
    """

    status: PowerStatus
    baseline: float
    mde: float
    alpha: float
    power: float
    control: str
    n_control: int
    arms: tuple[ArmPower, ...]
    reason: str | None = None

    @property
    def underpowered(self) -> tuple[str, ...]:
        """Arms that do not reach the target power (empty arms included)."""
        return tuple(a.arm for a in self.arms if a.status != OK)

    def arm(self, name: str) -> ArmPower:
        for a in self.arms:
            if a.arm == name:
                return a
        raise KeyError(name)

    def describe(self, lang: str = "en") -> str:
        """One line per test arm (or the reason there is nothing to check) in ``lang``."""
        from livebase.i18n import t

        if self.status == INSUFFICIENT:
            reason = t(f"reason.{self.reason}", lang)
            return t("power.insufficient", lang, arm=self.control, reason=reason)
        return "\n".join(a.describe(lang) for a in self.arms)

    @property
    def message(self) -> str:
        """:meth:`describe` in English."""
        return self.describe("en")


def _arm_power(
    arm: str, n: int, n_control: int, *, baseline: float, mde: float, alpha: float, power: float
) -> ArmPower:
    common = {"baseline": baseline, "mde": mde, "alpha": alpha, "power": power}
    if n == 0:
        return ArmPower(arm, n, n_control, INSUFFICIENT, reason="empty_arm", **common)
    ratio = n_control / n
    h = effect_size(baseline, mde)
    exact = _n_exact(h, alpha=alpha, power=power, ratio=ratio)
    required = max(MIN_N, math.ceil(exact))
    try:
        detectable: float | None = detectable_effect(
            baseline, n, alpha=alpha, power=power, ratio=ratio
        )
    except InsufficientData:
        detectable = None
    return ArmPower(
        arm,
        n,
        n_control,
        OK if n >= required else UNDERPOWERED,
        required_n=required,
        required_control=math.ceil(ratio * exact),
        achieved_power=achieved_power(baseline, mde, n, n_control, alpha=alpha),
        detectable=detectable,
        **common,
    )


def prelaunch_check(
    arm_sizes: Mapping[str, int],
    *,
    baseline: float,
    mde: float,
    alpha: float = 0.05,
    power: float = 0.8,
    control: str = "control",
) -> PowerCheck:
    """Check every arm of ``arm_sizes`` other than ``control`` against control.

    The seed-003 arms at a 4 p.p. MDE over 9.3 %:

    >>> check = prelaunch_check({"control": 368, "A": 492}, baseline=0.093, mde=0.04)
    >>> check.status, check.arm("A").required_n, round(check.arm("A").achieved_power, 3)
    ('underpowered', 1141, 0.452)
    >>> print(check.message.replace("\\xa0", " "))  # doctest: +NORMALIZE_WHITESPACE
    A: underpowered: 492 vs 368 in control; 1,141 (with 854 in control) needed to detect
    +4.0 pp over a 9.3% baseline with 80% power at α = 0.05; the power is 45.2%, the
    smallest effect detectable at this size is +6.3 pp
    """
    _check_test(alpha, power)
    _check_rates(baseline, mde)
    if control not in arm_sizes:
        raise InputError(f"no control arm {control!r} among {', '.join(map(repr, arm_sizes))}")
    sizes = {arm: int(n) for arm, n in arm_sizes.items()}
    if any(n < 0 for n in sizes.values()):
        raise InputError("arm sizes must not be negative")
    n_control = sizes[control]
    base = {"baseline": baseline, "mde": mde, "alpha": alpha, "power": power, "control": control}
    tests = [arm for arm in sizes if arm != control]
    if not tests:
        return PowerCheck(INSUFFICIENT, **base, n_control=n_control, arms=(), reason="single_arm")
    if n_control == 0:
        return PowerCheck(INSUFFICIENT, **base, n_control=0, arms=(), reason="empty_control")
    arms = tuple(
        _arm_power(arm, sizes[arm], n_control, baseline=baseline, mde=mde, alpha=alpha, power=power)
        for arm in tests
    )
    status = OK if all(a.status == OK for a in arms) else UNDERPOWERED
    return PowerCheck(status, **base, n_control=n_control, arms=arms)
