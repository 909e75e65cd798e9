"""Policies: the typed model the gate enforces, its validation and the built-in default."""

from .default import default_policy
from .model import FindingOverride, Policy, PolicyError, Thresholds, policy_from_dict

__all__ = ["FindingOverride", "Policy", "PolicyError", "Thresholds", "default_policy", "policy_from_dict"]
