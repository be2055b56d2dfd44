"""Attribution of paid orders to the channels that touched them (SPEC F5.4, seeds 000, 003).

:mod:`livebase.attribution.paths` builds the touch paths (one row per order and
touchpoint, in the engine); :mod:`livebase.attribution.models` credits them under
last click, first click, linear and position-based 40/40/20, and reports the assisted
share of each channel. The rules are stated in those modules' docstrings.
"""

from livebase.attribution.models import (
    MODELS,
    AssistedShare,
    Attribution,
    ChannelCredit,
    attribute,
    channel_credits,
    credit,
    offer_credits,
    revenue_credit,
    workspace_attribution,
)
from livebase.attribution.paths import CLICK, PATH_COLUMNS, VIEW, touch_paths

__all__ = [
    "CLICK",
    "MODELS",
    "PATH_COLUMNS",
    "VIEW",
    "AssistedShare",
    "Attribution",
    "ChannelCredit",
    "attribute",
    "channel_credits",
    "credit",
    "offer_credits",
    "revenue_credit",
    "touch_paths",
    "workspace_attribution",
]
