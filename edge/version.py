"""This runtime's version, which signed policy bundles compare with their `min_runtime`."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def runtime_version() -> str:
    """The installed `dmind-edge` version ("0.0.0" when run from an uninstalled tree)."""
    try:
        return version("dmind-edge")
    except PackageNotFoundError:
        return "0.0.0"
