"""Package discovery (the rest of the metadata is in pyproject.toml).

Every package under nhi_collect/ is found, so a new sub-package cannot be left out of the wheel; the data
folders at the top of the checkout are mapped into the package.
"""

from setuptools import find_packages, setup

DATA_FOLDERS = {
    "nhi_collect.workflows": "workflows",
    "nhi_collect.letter_templates": "letter_templates",
    "nhi_collect.migrations": "migrations",
    "nhi_collect.migrations.versions": "migrations/versions",
}

setup(packages=find_packages(include=["nhi_collect", "nhi_collect.*"]) + list(DATA_FOLDERS),
      package_dir=DATA_FOLDERS)
