"""The ward workflow files (shipped as package data so `pip install .` finds them)."""
