"""Wave exports (SPEC F4.5, issue 6): what a school uploads to its ESP, ad cabinets,
call centre and webinar platform.

:func:`export_wave` writes, under ``<out_dir>/<wave_id>/``, ESP-ready CSV files per
channel and arm (:mod:`~livebase.exports.esp`), hashed retargeting audiences
(:mod:`~livebase.exports.retargeting`), call lists as CSV and XLSX
(:mod:`~livebase.exports.calls`), webinar invitations, reminders and an ``.ics`` file
(:mod:`~livebase.exports.webinar`) and a ``manifest.json``
(:mod:`~livebase.exports.wave`). Conditional touches go out only once their condition is
decided (:mod:`~livebase.exports.conditions`); consent and contact are checked again
and every touch they stop is recorded in ``exclusions``
(:mod:`~livebase.exports.consent`, :mod:`~livebase.exports.touches`). File formats:
:mod:`~livebase.exports.files`.
"""

from livebase.exports.wave import ExportedFile, ExportResult, export_wave
from livebase.exports.webinar import WebinarInfo

__all__ = ["ExportResult", "ExportedFile", "WebinarInfo", "export_wave"]
