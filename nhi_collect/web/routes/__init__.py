"""One module per screen, each with a `router` (included by web/app.py)."""
