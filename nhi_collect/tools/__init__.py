"""Tools beside the use cases: a synthetic ward, its daily payment feed, simulated staff, the demo, the bench,
the import fuzz campaign."""
