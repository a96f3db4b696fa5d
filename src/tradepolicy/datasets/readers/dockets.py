"""Readers of regulations.gov v4 API responses (the docket importer's input format)."""

from __future__ import annotations

import json

import pandas as pd

from tradepolicy.datasets.registry import dataset_path

SAMPLE_FILE = "regulations_gov_v4_dockets_listing_sample.json"


def read_regulations_gov_dockets_sample() -> pd.DataFrame:
    """Return the dockets of the sample ``GET /v4/dockets`` page, one row per docket.

    Columns: ``id`` (str, e.g. ``USTR-2021-0001``), ``docket_type`` (str, Rulemaking or
    Nonrulemaking), ``agency_id`` (str), ``title`` (str), ``object_id`` (str),
    ``last_modified`` (str, ISO 8601 timestamp as the API prints it), ``self_link`` (str).
    """
    payload = json.loads(dataset_path("regulations-gov-api-sample", SAMPLE_FILE).read_text())
    rows = []
    for item in payload.get("data", []):
        attrs = item.get("attributes", {})
        rows.append({
            "id": item.get("id"), "docket_type": attrs.get("docketType"),
            "agency_id": attrs.get("agencyId"), "title": attrs.get("title"),
            "object_id": attrs.get("objectId"), "last_modified": attrs.get("lastModifiedDate"),
            "self_link": item.get("links", {}).get("self"),
        })
    return pd.DataFrame(rows, columns=["id", "docket_type", "agency_id", "title", "object_id",
                                       "last_modified", "self_link"])
