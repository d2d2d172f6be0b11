"""journeysim's version, read from the installed package's metadata (one place for it)."""

from __future__ import annotations

from functools import cache


@cache
def version() -> str:
    """The installed distribution's version (``0+unknown`` when running from an uninstalled tree)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("journeysim")
    except PackageNotFoundError:  # pragma: no cover - a source tree on sys.path
        return "0+unknown"
