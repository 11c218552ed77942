"""nhi-collect: collections workflow for delinquent National Health Insurance premiums (国民健康保険料)."""

__version__ = "0.1.0"
