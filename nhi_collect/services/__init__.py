"""Use cases: one function per thing a user or a job does."""
