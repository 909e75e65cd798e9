"""Policies: the typed model the gate enforces, its validation, the built-in default, and
(in `bundle`, `cose`, `store`) signed CBOR bundles and their activation on a device."""

from .default import default_policy
from .model import FindingOverride, Policy, PolicyError, Thresholds, policy_from_dict, policy_to_dict

__all__ = [
    "FindingOverride",
    "Policy",
    "PolicyError",
    "Thresholds",
    "default_policy",
    "policy_from_dict",
    "policy_to_dict",
]
