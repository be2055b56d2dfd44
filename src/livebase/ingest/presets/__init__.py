"""Import presets by name: GetCourse users/orders/payments, ESP events, generic mapping."""

from __future__ import annotations

from pathlib import Path

from livebase.errors import InputError
from livebase.ingest.presets.base import Preset
from livebase.ingest.presets.esp import EspEvents
from livebase.ingest.presets.getcourse import GetCourseOrders, GetCoursePayments, GetCourseUsers
from livebase.ingest.presets.mapping import MappingPreset, load_mapping, shipped_mappings

BUILTIN = {
    "getcourse-users": GetCourseUsers,
    "getcourse-orders": GetCourseOrders,
    "getcourse-payments": GetCoursePayments,
    "esp-events": EspEvents,
}


def preset_names() -> list[str]:
    return [*BUILTIN, "mapping", *shipped_mappings()]


def get_preset(name: str, mapping: str | Path | None = None) -> Preset:
    """A preset by name; ``mapping`` (a YAML file) for the generic ``mapping`` preset.

    Shipped mappings (``online-retail``, ``cdnow``, ``lms-events``, ``consents``) are
    presets too.
    """
    if name in BUILTIN:
        return BUILTIN[name]()
    if name == "mapping":
        if mapping is None:
            raise InputError("the mapping preset needs --mapping FILE.yaml")
        return MappingPreset(load_mapping(mapping))
    if name in shipped_mappings():
        preset = MappingPreset(load_mapping(name))
        preset.name = name
        return preset
    raise InputError(f"unknown preset {name!r} (one of {', '.join(preset_names())})")
