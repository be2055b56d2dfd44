"""Multiple comparisons: adjusted p-values for a family of tests.

An experiment with several test arms against one control runs one test per arm; the
chance that at least one of them is "significant" by luck grows with the number of arms.

* :func:`holm` — Holm–Bonferroni step-down adjustment (controls the family-wise error
  rate under any dependence between the tests): with the p-values sorted ascending,
  ``p̃(i) = max_{j ≤ i} min(1, (m - j + 1)·p(j))``;
* :func:`benjamini_hochberg` — Benjamini–Hochberg step-up adjustment (controls the false
  discovery rate for independent or positively dependent tests):
  ``p̃(i) = min_{j ≥ i} min(1, m/j · p(j))``.

Both return the adjusted values in the input order, the same as statsmodels'
``multipletests(method="holm")`` / ``"fdr_bh"``. An arm is significant at level α when its
adjusted p-value is ≤ α.

Three arms, p = 0.01, 0.04, 0.03. Holm: sorted 0.01, 0.03, 0.04 times 3, 2, 1 gives
0.03, 0.06, 0.04; the running maximum makes it 0.03, 0.06, 0.06. BH: 0.01·3/1 = 0.03,
0.03·3/2 = 0.045, 0.04·3/3 = 0.04; the running minimum from the top gives 0.03, 0.04, 0.04.

>>> [round(p, 6) for p in holm([0.01, 0.04, 0.03])]
[0.03, 0.06, 0.06]
>>> [round(p, 6) for p in benjamini_hochberg([0.01, 0.04, 0.03])]
[0.03, 0.04, 0.04]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

from livebase.errors import InputError

Method = Literal["holm", "bh"]


def _checked(p_values: Sequence[float]) -> list[float]:
    out = []
    for p in p_values:
        value = float(p)
        if math.isnan(value) or not 0 <= value <= 1:
            raise InputError(f"a p-value must be between 0 and 1, got {p}")
        out.append(value)
    return out


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the order given (see the module docstring).

    >>> [round(p, 6) for p in holm([0.2, 1.0, 0.001])]
    [0.4, 1.0, 0.003]
    >>> holm([])
    []
    """
    p = _checked(p_values)
    m = len(p)
    order = sorted(range(m), key=p.__getitem__)
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), in the order given.

    >>> [round(p, 6) for p in benjamini_hochberg([0.2, 1.0, 0.001])]
    [0.3, 1.0, 0.003]
    """
    p = _checked(p_values)
    m = len(p)
    order = sorted(range(m), key=p.__getitem__)
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, p[i] / ((rank + 1) / m))
        adjusted[i] = running
    return adjusted


def adjust(
    p_by_name: Mapping[str, float | None], method: Method = "holm"
) -> dict[str, float | None]:
    """Adjust a family of named p-values; ``None`` (no test) passes through untouched.

    Arms without a p-value are not members of the family: they neither count in ``m``
    nor receive an adjusted value.

    Holm on A, B (m = 2): 0.012·2 = 0.024, then max(0.024, 0.02·1) = 0.024. BH: 0.02·2/2 =
    0.02, then min(0.02, 0.012·2/1) = 0.02.

    >>> adjust({"A": 0.012, "B": 0.02, "C": None}, "holm")
    {'A': 0.024, 'B': 0.024, 'C': None}
    >>> adjust({"A": 0.012, "B": 0.02, "C": None}, "bh")
    {'A': 0.02, 'B': 0.02, 'C': None}
    """
    adjuster = {"holm": holm, "bh": benjamini_hochberg}.get(method)
    if adjuster is None:
        raise InputError(f"adjustment method must be 'holm' or 'bh', got {method!r}")
    tested = [name for name, p in p_by_name.items() if p is not None]
    adjusted = dict(zip(tested, adjuster([p_by_name[name] for name in tested]), strict=True))
    return {name: adjusted.get(name) for name in p_by_name}
