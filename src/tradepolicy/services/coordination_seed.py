"""Seed of the coordination domain: the example docket USTR-2022-0014 with hand-written submissions.

The docket is real: the four-year review of the China Section 301 actions; the comment portal
opened 2022-11-15 and comments were due 2023-01-17 (rules ``docket.ustr_2022_0014.*``, cited to
USTR's notice of 2022-10-12). The submissions below are NOT real: they are short illustrative
examples, each marked ``is_example`` and titled "EXAMPLE", so the pages show a working docket.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tradepolicy.platform.principal import Principal
from tradepolicy.services.dockets import BulkComment, bulk_ingest, open_docket
from tradepolicy.store.models_coordination import Docket

DOCKET = "USTR-2022-0014"
TITLE = ("Four-Year Review of Actions Taken in the Section 301 Investigation: China's Acts, Policies, and "
         "Practices Related to Technology Transfer, Intellectual Property, and Innovation")
NOTICE = ("USTR notice of 2022-10-12 (request for comments, docket USTR-2022-0014); portal open 2022-11-15 to "
          "2023-01-17. Sources: mondaq.com 1256446; thompsonhinesmartrade.com 2022/11")

_FORM = ("EXAMPLE (illustrative, not a real submission). I am a small retailer and the Section 301 duties on "
         "furniture and bicycles from China have raised my costs every year since 2019. My suppliers could not "
         "move production quickly and my customers now pay more. Please remove the additional duties on consumer "
         "goods and reopen the exclusion process for products with no alternative source.")

EXAMPLES = [
    BulkComment("Example Retailer One", "company", _FORM, organization="Example Home Goods LLC",
                title="EXAMPLE: remove the duties on consumer goods", hts_codes=("9403.60", "8712.00.15"),
                countries=("CHN",)),
    BulkComment("Example Retailer Two", "company", _FORM.replace("every year since 2019", "every year since 2018")
                .replace("my customers", "our customers"), organization="Example Cycle Shop",
                title="EXAMPLE: remove the duties on consumer goods", hts_codes=("8712.00.15",), countries=("CHN",)),
    BulkComment("Example Valve Manufacturers Association", "association",
                "EXAMPLE (illustrative, not a real submission). Our members make industrial valves in the United "
                "States. The List 3 duties on valves from China have let members invest in new capacity; we ask USTR "
                "to continue them and to watch for transshipment through Vietnam.", organization="Example Valve Association",
                title="EXAMPLE: continue the duties on valves", hts_codes=("8481.80.10",), countries=("CHN", "VNM")),
    BulkComment("Example Solar Installer", "company",
                "EXAMPLE (illustrative, not a real submission). Duties on solar cells and inverters raise installed "
                "costs; we source modules from Mexico and China and ask for a transition period.",
                organization="Example Solar Co", title="EXAMPLE: solar cells and inverters",
                hts_codes=("8541.42", "8504.40"), countries=("CHN", "MEX")),
    BulkComment("Example County Board", "government",
                "EXAMPLE (illustrative, not a real submission). Fastener makers in our county report new orders since "
                "2018. We support continuing the actions on steel fasteners.", organization="Example County",
                title="EXAMPLE: support for fastener duties", hts_codes=("7318.15",), countries=("CHN",)),
]


def seed_example_docket(session: Session, actor: str) -> dict[str, int]:
    """Open USTR-2022-0014 (once) with its cited windows and five example submissions, posted."""
    if session.get(Docket, DOCKET) is not None:
        return {"inserted": 0, "updated": 0, "unchanged": 1}
    who = Principal(name=actor, role="administrator", via="system")
    open_docket(session, who, docket_id=DOCKET, title=TITLE, procedure="comment_docket", opens=dt.date(2022, 11, 15),
                notice_rules={"comments": "docket.ustr_2022_0014.closes"}, notice=NOTICE, is_example=True,
                allow_public=False)
    day = dt.datetime(2022, 12, 1, 15, tzinfo=dt.UTC)
    items = [BulkComment(e.commenter_name, e.commenter_type, e.text, e.organization, e.title, e.hts_codes, e.countries,
                         day + dt.timedelta(days=i), day + dt.timedelta(days=i + 7), "posted", None, True)
             for i, e in enumerate(EXAMPLES)]
    bulk_ingest(session, who, DOCKET, items, source="example")
    return {"inserted": 1, "updated": 0, "unchanged": 0}
