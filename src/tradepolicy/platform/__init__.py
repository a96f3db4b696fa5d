"""The platform every workflow stands on: people, tokens, policy, grants, labels, access log.

See ``docs/platform.md`` for the contract. Layer: above ``store/`` and ``datasets/``, below
``services/``; routes and services ask the policy here and never decide access themselves.
"""

from tradepolicy.platform.labels import (
    CONFIDENTIAL_LABELS,
    LABELS,
    Label,
    check_label,
    is_confidential,
)
from tradepolicy.platform.principal import ANONYMOUS, Grant, Principal

__all__ = [
    "ANONYMOUS",
    "CONFIDENTIAL_LABELS",
    "LABELS",
    "Grant",
    "Label",
    "Principal",
    "check_label",
    "is_confidential",
]
