"""Reason codes of the guardrails (SPEC F4.3, F4.6): every customer left out of a wave
and every touch removed, moved or changed is written to ``exclusions`` with one of
these codes and an action.

Actions: ``excluded`` (the customer is not in the wave; ``touch_no`` 0), ``removed``
(the touch will not be sent), ``moved`` (sent at ``moved_to`` instead of
``planned_at``), ``changed`` (sent with another content pattern).
"""

from __future__ import annotations

EXCLUDED = "excluded"
REMOVED = "removed"
MOVED = "moved"
CHANGED = "changed"
ACTIONS = (EXCLUDED, REMOVED, MOVED, CHANGED)

# consent and suppression, per channel (livebase.playbooks.eligibility)
NO_CONSENT = "no_consent"
WITHDRAWN = "consent_withdrawn"
UNSUBSCRIBED = "unsubscribed"
COMPLAINED = "complained"
HARD_BOUNCE = "hard_bounce"
NO_CONTACT = "no_contact"  # no e-mail address or phone number for the channel
# audience rules
ACTIVE_BUYER = "active_buyer"
OPEN_DEAL = "open_deal"
HOT_LEAD = "hot_lead"
# touch rules
CAP_DAY = "cap_day"
CAP_WEEK = "cap_week"
CAP_CHANNEL = "cap_channel_week"
CAP_RETARGETING = "cap_retargeting_day"
SILENCE = "silence_after_purchase"
OFFER_COOLDOWN = "offer_cooldown"
DISCOUNT_COOLDOWN = "discount_cooldown"
DISCOUNT_BUDGET = "discount_budget"
NO_PERSONALISATION = "no_personalisation_consent"
NO_PARENTAL = "no_parental_consent"
CASCADE_NO_CHANNEL = "cascade_no_channel"
WEEKDAY = "send_time_weekday"
PAST_DEADLINE = "past_deadline"
AUTO_THROTTLE = "auto_throttle"

CODES = (
    NO_CONSENT,
    WITHDRAWN,
    UNSUBSCRIBED,
    COMPLAINED,
    HARD_BOUNCE,
    NO_CONTACT,
    ACTIVE_BUYER,
    OPEN_DEAL,
    HOT_LEAD,
    CAP_DAY,
    CAP_WEEK,
    CAP_CHANNEL,
    CAP_RETARGETING,
    SILENCE,
    OFFER_COOLDOWN,
    DISCOUNT_COOLDOWN,
    DISCOUNT_BUDGET,
    NO_PERSONALISATION,
    NO_PARENTAL,
    CASCADE_NO_CHANNEL,
    WEEKDAY,
    PAST_DEADLINE,
    AUTO_THROTTLE,
)
