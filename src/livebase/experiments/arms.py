"""The arms a readout compares: checked once for every kind of readout.

>>> from collections import namedtuple
>>> Arm = namedtuple("Arm", "arm")
>>> arms, ctrl = split_control([Arm("control"), Arm("value")], "control", alpha=0.05)
>>> [a.arm for a in arms], ctrl.arm
(['control', 'value'], 'control')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from livebase.errors import InputError


class _Named(Protocol):
    @property
    def arm(self) -> str: ...


A = TypeVar("A", bound=_Named)


def split_control(aggregates: Iterable[A], control: str, *, alpha: float) -> tuple[list[A], A]:
    """The arms as a list and the control among them.

    :class:`InputError` for an alpha outside (0, 1), repeated arm names or no arm named
    ``control``.
    """
    aggs = list(aggregates)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    names = [agg.arm for agg in aggs]
    if len(set(names)) != len(names):
        raise InputError(f"arm names repeat: {names}")
    if control not in names:
        raise InputError(f"no control arm {control!r} among arms {names}")
    return aggs, aggs[names.index(control)]
