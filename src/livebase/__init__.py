"""livebase: customer-base analytics, contact policy and experiment readouts for online schools."""

__version__ = "0.1.0"
