"""Edges: the database, letters and the scheduler."""
