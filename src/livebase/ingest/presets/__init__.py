"""Import presets by name: GetCourse users/orders/payments, ESP events, OULAD
registrations, the generic mapping and the shipped mappings."""

from __future__ import annotations

from pathlib import Path

from livebase.errors import InputError
from livebase.ingest.presets.base import Preset
from livebase.ingest.presets.esp import EspEvents
from livebase.ingest.presets.getcourse import GetCourseOrders, GetCoursePayments, GetCourseUsers
from livebase.ingest.presets.mapping import MappingPreset, load_mapping, shipped_mappings
from livebase.ingest.presets.oulad import OuladRegistrations

BUILTIN = {
    "getcourse-users": GetCourseUsers,
    "getcourse-orders": GetCourseOrders,
    "getcourse-payments": GetCoursePayments,
    "esp-events": EspEvents,
    "oulad-registrations": OuladRegistrations,
}


def preset_names() -> list[str]:
    return [*BUILTIN, "mapping", *(m for m in shipped_mappings() if m not in BUILTIN)]


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
