"""The guide answers the office's questions as people phrase them.

Each question is asked through the service (``tradepolicy.services.guide.ask``) against the
session database loaded from the bundled ``guide.yaml``; a sample is asked again through the CLI
(``guide ask ... --json``) and the API (``/api/guide?q=``). The expected entry must be ranked first,
or within the top two where two entries legitimately answer the same question (the reason is
given next to each such case).
"""

from __future__ import annotations

import json

import pytest

# (question, expected entry id, accepted rank: 1 = must be first, 2 = first or second)
QUESTIONS: list[tuple[str, str, int]] = [
    # what the office is
    ("What does USTR do?", "what-is-ustr", 1),
    ("what's the USTR", "what-is-ustr", 1),
    ("What is the Office of the United States Trade Representative?", "what-is-ustr", 1),
    ("who is the US trade representative", "what-is-ustr", 1),
    # its primary goal
    ("What is the main goal of the trade representative?", "ustr-primary-goal", 1),
    ("what is USTR's mission", "ustr-primary-goal", 1),
    ("what is the purpose of the USTR", "ustr-primary-goal", 1),
    # key responsibilities
    ("What are USTR's key responsibilities?", "ustr-responsibilities", 1),
    ("what is the trade representative responsible for", "ustr-responsibilities", 1),
    ("what are the duties of the USTR", "ustr-responsibilities", 1),
    # how it negotiates: the five stages
    ("How does the US negotiate a trade deal?", "how-ustr-negotiates", 1),
    ("what are the steps to negotiate a trade agreement", "how-ustr-negotiates", 1),
    ("What are the five stages of a trade negotiation?", "how-ustr-negotiates", 1),
    ("How does USTR negotiate a trade agreement?", "how-ustr-negotiates", 1),
    ("how long does Congress have to vote on a trade deal", "how-ustr-negotiates", 2),  # TPA entry also answers
    # negotiation strategies
    ("What negotiation strategies does USTR use?", "negotiation-strategies", 1),
    ("what tactics are used to cut tariffs and remove non-tariff barriers", "negotiation-strategies", 1),
    ("how are tariff cuts staged in a trade agreement", "negotiation-strategies", 1),
    # enforcement tools
    ("How does USTR enforce trade rules?", "enforcement-tools", 1),
    ("what enforcement tools does the trade representative have", "enforcement-tools", 1),
    # enforcement priorities
    ("What are USTR's enforcement priorities?", "enforcement-priorities", 1),
    ("what is USTR focusing on in trade enforcement", "enforcement-priorities", 1),
    # China IP theft: the priorities entry and the Section 301 entry (the China investigation
    # is about technology transfer and IP) both answer it.
    ("what about China IP theft", "enforcement-priorities", 2),
    ("forced technology transfer in China", "enforcement-priorities", 2),
    # USMCA
    ("What is in the USMCA?", "usmca-overview", 1),
    ("when did USMCA enter into force", "usmca-overview", 1),
    ("what does the new NAFTA provide", "usmca-overview", 1),
    ("What does the US-Mexico-Canada agreement cover?", "usmca-overview", 1),
    # TFA
    ("when did the trade facilitation agreement enter into force", "tfa-overview", 1),
    ("What does the WTO TFA provide?", "tfa-overview", 1),
    # Section 301
    ("What is Section 301?", "section-301", 1),
    ("how do section 301 tariffs on China work", "section-301", 1),
    # Special 301
    ("What is the Special 301 report?", "special-301", 1),
    ("which countries are on the priority watch list", "special-301", 1),
    # NTE
    ("What is the National Trade Estimate report?", "national-trade-estimate", 1),
    ("where are foreign trade barriers listed", "national-trade-estimate", 1),
    # TPA
    ("What is trade promotion authority?", "trade-promotion-authority", 1),
    ("what is fast track", "trade-promotion-authority", 1),
    # advisory committees
    ("What are the trade advisory committees?", "advisory-committees", 1),
    ("what is the ACTPN", "advisory-committees", 1),
    # interagency process
    ("How does the interagency process work?", "interagency-process", 1),
    ("what is the TPSC", "interagency-process", 1),
    ("what does the TPRG do", "interagency-process", 1),
    # AD/CVD
    ("How do antidumping and countervailing duties work?", "ad-cvd-basics", 1),
    ("what is dumping", "ad-cvd-basics", 1),
    # safeguards
    ("What is a section 201 safeguard?", "safeguards-201", 1),
    ("what is the escape clause", "safeguards-201", 1),
    # WTO disputes
    ("How does WTO dispute settlement work?", "wto-dispute-settlement", 1),
    ("what happens when the US files a WTO case", "wto-dispute-settlement", 1),
    # RRM
    ("What is the Rapid Response Labor Mechanism?", "usmca-rrm", 1),
    ("how does the RRM work", "usmca-rrm", 1),
    # GSP
    ("What is GSP?", "gsp", 1),
    ("is the generalized system of preferences still in effect", "gsp", 1),
    # Trade Policy Agenda
    ("What is the Trade Policy Agenda?", "trade-policy-agenda", 1),
    ("when is the president's annual trade agenda due", "trade-policy-agenda", 1),
    # public comments
    ("How can I comment on a USTR proceeding?", "public-comment-dockets", 1),
    ("where do I submit public comments", "public-comment-dockets", 1),
    # BCI
    ("How do I submit business confidential information?", "business-confidential-information", 1),
    ("how is proprietary information protected", "business-confidential-information", 1),
    # FTAs
    ("Which countries have free trade agreements with the US?", "us-free-trade-agreements", 1),
    ("list of US FTAs", "us-free-trade-agreements", 1),
]

# One question per topic goes through the CLI and the API as well.
SHELL_SAMPLE = list({expected: (q, expected, rank) for q, expected, rank in QUESTIONS}.values())


def _rank_of(ids: list[str], expected: str) -> int | None:
    return ids.index(expected) + 1 if expected in ids else None


@pytest.mark.parametrize(("question", "expected", "accepted"), QUESTIONS)
def test_service_ranks_expected_entry(question: str, expected: str, accepted: int) -> None:
    from tradepolicy.services.guide import ask

    ids = [h.id for h in ask(question, limit=5)]
    rank = _rank_of(ids, expected)
    assert rank is not None and rank <= accepted, f"{question!r}: {expected} at {rank} in {ids}"


@pytest.mark.parametrize(("question", "expected", "accepted"), SHELL_SAMPLE)
def test_cli_ranks_expected_entry(question: str, expected: str, accepted: int) -> None:
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    result = CliRunner().invoke(app, ["guide", "ask", question, "--json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["covered"] is True, body.get("not_covered")
    ids = [h["id"] for h in body["results"]]
    rank = _rank_of(ids, expected)
    assert rank is not None and rank <= accepted, f"{question!r}: {expected} at {rank} in {ids}"


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app

    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize(("question", "expected", "accepted"), SHELL_SAMPLE)
def test_api_ranks_expected_entry(client, question: str, expected: str, accepted: int) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/guide", params={"q": question, "limit": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    ids = [h["id"] for h in body["results"]]
    assert body["covered"] is True
    rank = _rank_of(ids, expected)
    assert body["ok"] and rank is not None and rank <= accepted, f"{question!r}: {expected} at {rank} in {ids}"


@pytest.mark.parametrize(("question", "expected", "accepted"), QUESTIONS)
def test_every_tested_question_is_covered(question: str, expected: str, accepted: int) -> None:
    # The "not covered" path must not fire on a question the guide answers.
    from tradepolicy.services.guide import answer

    ans = answer(question, limit=5)
    assert ans.covered, (question, ans.not_covered)


# ----------------------------------------------------------------------------- not covered (issue 14)
NOT_COVERED = [
    # (question, the note that must answer, or None for the generic "no entry" answer)
    ("What are the IEEPA tariffs?", "not-covered-ieepa-tariffs"),
    ("how do the IEEPA emergency tariffs stack on Chinese goods", "not-covered-ieepa-tariffs"),
    ("Can I get the NTE report as a PDF?", "not-covered-pdf-reports"),
    ("export the screening as PDF", "not-covered-pdf-reports"),
    ("What is CFIUS review of investments?", None),
    ("what does the ITAR say about exports", None),
]


@pytest.mark.parametrize(("question", "note"), NOT_COVERED)
def test_not_covered_says_so_and_points_to_the_nearest(question: str, note: str | None) -> None:
    from tradepolicy.services.guide import answer

    ans = answer(question)
    assert ans.covered is False and ans.not_covered is not None
    nc = ans.not_covered
    assert nc.published_elsewhere and any("ustr.gov" in (p.href or "") for p in nc.published_elsewhere)
    if note is None:
        assert nc.message.startswith("The guide has no entry on")
        assert ans.results == []          # no unrelated entry is presented as the answer
    else:
        assert ans.results[0].id == note
        assert "section-301" not in [r.id for r in ans.results[:1]]
        assert "national-trade-estimate" not in [r.id for r in ans.results[:1]]


def test_not_covered_through_cli_api_and_page(client) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    r = CliRunner().invoke(app, ["guide", "ask", "What are the IEEPA tariffs?"])
    assert r.exit_code == 0 and "Not covered:" in r.stdout and "Federal Register" in r.stdout
    body = client.get("/api/guide", params={"q": "What is CFIUS review?"}).json()
    assert body["ok"] and body["covered"] is False and "no entry on CFIUS" in body["not_covered"]["message"]
    page = client.get("/guide", params={"q": "Can I get a PDF report?"}, headers={"accept": "text/html"}).text
    assert "Not covered" in page and "ustr.gov" in page


# ----------------------------------------------------------------------------- the office FAQ (issue 14)
# ../shared/reference/office-faq.md: each question and the facts its answer must carry.
FAQ = [
    ("What is the primary goal of the Office of the United States Trade Representative?", "ustr-primary-goal",
     ["promoting American trade interests", "strengthening the US economy", "trade agreements and negotiations"]),
    ("What are the key responsibilities of the USTR?", "ustr-responsibilities",
     ["negotiating and enforcing trade agreements", "resolving trade disputes",
      "promoting American trade interests abroad", "technical assistance and capacity building",
      "help developing countries implement trade agreements", "improve their trade infrastructure"]),
    ("How does the USTR negotiate trade agreements?", "how-ustr-negotiates",
     ["pre-negotiation", "notification", "negotiation", "agreement", "implementation",
      "market access", "regulatory coherence", "dispute settlement", "capacity building"]),
]


@pytest.mark.parametrize(("question", "entry", "facts"), FAQ, ids=["primary-goal", "responsibilities", "negotiate"])
def test_faq_answer_carries_the_listed_facts(question: str, entry: str, facts: list[str]) -> None:
    from tradepolicy.services.guide import answer

    ans = answer(question, limit=3)
    assert ans.covered and ans.results[0].id == entry
    top = " ".join(ans.results[0].body.split()).lower()
    for fact in facts:
        assert fact.lower() in top, (entry, fact)
    assert ans.results[0].citations
