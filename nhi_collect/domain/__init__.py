"""The pure domain: no database, no files, no clock. Law calculators live here."""
