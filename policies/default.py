"""The built-in default policy. Its source is `default.toml`, the same commented file that
`dmind-edge policy init` writes, so the two cannot drift apart."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from .model import Policy, policy_from_dict


def default_policy_source() -> str:
    """The commented TOML of the built-in default policy."""
    return resources.files(__package__).joinpath("default.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The policy the gate uses when none is given."""
    return policy_from_dict(tomllib.loads(default_policy_source()))
