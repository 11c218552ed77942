"""Where the shipped data folders are: inside the installed package, or at the top of a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """`workflows`, `letter_templates` or `migrations`, wherever this copy of nhi-collect finds it.

    `pip install .` ships them as the sub-packages nhi_collect.<name>; a checkout has them at its top, and a
    checkout's own win (another checkout's editable install maps nhi_collect.<name> to its folders).
    """
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / name).is_dir():
        return _CHECKOUT / name
    try:
        found = Path(str(resources.files(f"nhi_collect.{name}")))
        if found.is_dir():
            return found
    except ModuleNotFoundError:
        pass
    found = _CHECKOUT / name
    if not found.is_dir():
        raise FileNotFoundError(f"nhi-collect data folder {name!r} not found in the package or at {_CHECKOUT}")
    return found
