"""Bundled, cited reference facts as YAML, validated at load.

``agreements.yaml``  agreements of the United States in force and the WTO agreements;
``agencies.yaml``    the agencies, committees and bodies the office works with;
``guide.yaml``       the guide's cited entries, linked to registry records.

Loader errors name the file, the key, the expected form and an example.
"""

from tradepolicy.reference.loader import (
    AgencyRecord,
    AgreementRecord,
    Citation,
    GuideRecord,
    Provision,
    load_agencies,
    load_agreements,
    load_guide,
    load_yaml_file,
    reference_version,
)

__all__ = [
    "AgencyRecord",
    "AgreementRecord",
    "Citation",
    "GuideRecord",
    "Provision",
    "load_agencies",
    "load_agreements",
    "load_guide",
    "load_yaml_file",
    "reference_version",
]
