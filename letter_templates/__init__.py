"""Letter templates (shipped as package data)."""
