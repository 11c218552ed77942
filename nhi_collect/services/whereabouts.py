"""居所不明 (whereabouts unknown) as dated periods: read and written by adapters/whereabouts_periods.py. The
case file (services/casefile.py) reads the periods in force through this module's name."""

from ..adapters.whereabouts_periods import covers

__all__ = ["covers"]
