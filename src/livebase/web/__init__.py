"""The web dashboard, its JSON API and the event webhook (SPEC F6.2, F6.3, F1.5)."""
