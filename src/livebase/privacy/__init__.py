"""Privacy (SPEC F7.2): erasing a person and keeping them erased.

:mod:`~livebase.privacy.erase` finds a person by id, e-mail or phone and removes or
anonymises them in the store and the workspace's files (:mod:`~livebase.privacy.scrub`);
:mod:`~livebase.privacy.suppression` keeps their keys as keyed hashes so that a later
import or webhook event does not bring them back. Rules: docs/privacy.md.
"""
