"""Where the shipped resources (policy, demo matter, icons) are on this machine.

The ``resources/`` folder sits beside the ``reviewer`` package and
``pyproject.toml`` in a source checkout (and an editable install). A wheel
installs it as data files under ``<prefix>/share/redaction-reviewer/resources``;
a frozen build (PyInstaller) carries it under ``sys._MEIPASS``.
``REVIEWER_RESOURCES`` overrides all three.
"""

from __future__ import annotations

import os
import site
import sys
from pathlib import Path

from reviewer.domain.errors import KnownError

ENV_OVERRIDE = "REVIEWER_RESOURCES"
INSTALLED_SUBDIR = Path("share", "redaction-reviewer", "resources")


def candidate_roots() -> list[Path]:
    """The folders that may hold the resources, most specific first."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return [Path(override)]
    roots: list[Path] = []
    checkout = Path(__file__).resolve().parents[2]
    # Installed, that folder is site-packages: its "resources" may be anyone's.
    if (checkout / "pyproject.toml").is_file():
        roots.append(checkout / "resources")
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(Path(frozen) / "resources")
    prefixes = [sys.prefix, sys.base_prefix, site.getuserbase()]
    roots.extend(Path(prefix) / INSTALLED_SUBDIR for prefix in dict.fromkeys(prefixes))
    return roots


def resource_path(*parts: str) -> Path:
    """The shipped resource ``resources/<parts...>``; a KnownError when it is missing."""
    roots = candidate_roots()
    for root in roots:
        path = root.joinpath(*parts)
        if path.exists():
            return path
    looked = ", ".join(str(root) for root in roots)
    raise KnownError(
        f"The resource {'/'.join(parts)} is missing from this installation (looked in {looked}): "
        f"reinstall Redaction Reviewer or set {ENV_OVERRIDE} to its resources folder."
    )
