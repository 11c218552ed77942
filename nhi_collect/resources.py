"""Where the shipped data folders are: inside the installed package, or at the top of a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """`workflows`, `letter_templates` or `migrations`, wherever this copy of nhi-collect finds it.

    `pip install .` ships them as the sub-packages nhi_collect.<name>; a checkout has them at its top. A
    checkout's own folder comes first: an editable install maps nhi_collect.<name> to the checkout it was
    installed from, so a second checkout (a git worktree) run with the same environment would read the other
    checkout's workflow file beside its own code.
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
