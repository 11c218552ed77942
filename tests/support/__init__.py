"""What the tests share, in one place: test modules import from here (and from tests/conftest.py's fixtures),
never from one another. ledger: the small two-household ledger and its import helpers; ward: a generated ward
loaded to a date; cli: the command line as a subprocess; letters, report, dated, crowd: the ledgers of those
tests; webapp, webcase, webact, signin: the web app's test ward, its case file, and signing in."""
