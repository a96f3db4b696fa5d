"""Domain errors: one flat module, as in pyfixest.

Every error names what was wrong, where (file, row, field), what was expected and
gives an example. The API maps each class to an HTTP status through ``status``;
the CLI maps every one of them to exit code 2.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class TradePolicyError(Exception):
    """Base class of every error tradepolicy raises on purpose.

    Parameters
    ----------
    message
        What was wrong, in one sentence.
    where
        The place: a file (and row), a URL parameter, a registry key.
    field
        The field or column at fault.
    expected
        The expected form.
    example
        An example of a valid value.
    details
        Anything else a caller may need (e.g. nearest valid codes, diagnostics).
    """

    message: str
    where: str | None = None
    field: str | None = None
    expected: str | None = None
    example: str | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    status = 400
    code = "bad_input"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = [self.message]
        if self.where:
            parts.append(f"where: {self.where}")
        if self.field:
            parts.append(f"field: {self.field}")
        if self.expected:
            parts.append(f"expected: {self.expected}")
        if self.example:
            parts.append(f"example: {self.example}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return the error part of the canonical JSON error shape."""
        out: dict[str, Any] = {"type": self.code, "message": self.message}
        for key in ("where", "field", "expected", "example"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.details:
            out["details"] = self.details
        return out


class InputError(TradePolicyError):
    """A value given by the user does not have the expected form."""

    status = 400
    code = "bad_input"


class NotFoundError(TradePolicyError):
    """An identifier does not name a known record."""

    status = 404
    code = "not_found"


class ConflictError(TradePolicyError):
    """A request is well formed but not allowed in the current state."""

    status = 409
    code = "conflict"


class InUseError(TradePolicyError):
    """A resource (the database) is in use by another process; the operation was refused."""

    status = 409
    code = "in_use"


class RegistryError(TradePolicyError):
    """A bundled or user-supplied YAML registry file is invalid."""

    status = 500
    code = "registry_invalid"


class DatasetMissingError(TradePolicyError):
    """A registered dataset is neither in the mirror nor in the cache."""

    status = 503
    code = "dataset_missing"


class DatasetCorruptError(TradePolicyError):
    """A dataset file's sha256 does not match the registry."""

    status = 500
    code = "dataset_corrupt"


class FetchError(TradePolicyError):
    """A dataset could not be downloaded."""

    status = 503
    code = "fetch_failed"


class ConvergenceError(TradePolicyError):
    """A numerical solver did not converge; ``details`` holds its diagnostics."""

    status = 422
    code = "no_convergence"


class BackupError(TradePolicyError):
    """A database backup could not be written or verified."""

    status = 400
    code = "backup_invalid"


class OptionalDependencyError(TradePolicyError):
    """An optional dependency is not installed; the message names the pip extra."""

    status = 500
    code = "missing_dependency"


class PayloadTooLargeError(TradePolicyError):
    """A request body or uploaded file exceeds its configured size limit (HTTP 413)."""

    status = 413
    code = "payload_too_large"


class NotSignedInError(TradePolicyError):
    """The request needs a signed-in user, or the credentials given are not valid (HTTP 401)."""

    status = 401
    code = "not_signed_in"


class ForbiddenError(TradePolicyError):
    """The principal's role does not hold the permission, or the request is refused (HTTP 403)."""

    status = 403
    code = "forbidden"
