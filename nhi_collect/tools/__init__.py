"""Tools beside the use cases, run by people: a synthetic ward, its daily payment feed, simulated staff, the demo,
the bench, the import fuzz campaign and the reliability campaigns."""
