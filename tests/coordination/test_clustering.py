"""Form-letter clustering: MinHash estimates against the exact Jaccard similarity of the shingle sets.

Peer computation: the exact Jaccard |A & B| / |A | B| of the word 3-shingle sets. With 64
permutations the MinHash estimate has standard deviation sqrt(J(1-J)/64) <= 0.0625; the test
allows 4 standard deviations (0.25).
"""

from __future__ import annotations

import random

from tradepolicy.coordination import clustering

BASE = ("I am writing as a small business owner in Ohio to oppose the Section 301 tariffs on imports from China. "
        "These duties have raised the prices of the parts I buy, forced me to cut hours for my employees and made my "
        "products less competitive. Please end the tariffs on consumer goods and restore the exclusion process so "
        "businesses like mine can plan for the future. Thank you for considering my comment.")


def _edit(text: str, rng: random.Random, n: int) -> str:
    words = text.split()
    for _ in range(n):
        words[rng.randrange(len(words))] = rng.choice(["really", "truly", "Texas", "very", "family"])
    return " ".join(words)


def exact(a: str, b: str) -> float:
    sa, sb = clustering.shingles(a), clustering.shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_estimates_track_the_exact_jaccard() -> None:
    rng = random.Random(7)
    for n in (1, 3, 8, 20):
        other = _edit(BASE, rng, n)
        est = clustering.jaccard(clustering.signature(BASE), clustering.signature(other))
        assert abs(est - exact(BASE, other)) <= 0.25, (n, est, exact(BASE, other))


def test_form_letters_with_small_edits_join_one_cluster_and_others_do_not() -> None:
    rng = random.Random(1)
    c = clustering.Clusterer.empty()
    c.add_representative(1, clustering.signature(BASE))
    joined = sum(c.assign(clustering.signature(_edit(BASE, rng, 2)))[0] == 1 for _ in range(50))
    assert joined >= 48  # LSH may miss a rare candidate; small edits keep J well above the threshold
    different = ("Our association of valve makers supports continuing the duties because members invested in new "
                 "capacity in Pennsylvania after 2018 and domestic production has grown.")
    assert c.assign(clustering.signature(different)) == (None, 0.0)


def test_signatures_are_stable_across_processes() -> None:
    # crc32 (not Python's salted hash) makes a signature stored by one process comparable in another
    import subprocess
    import sys

    code = "from tradepolicy.coordination import clustering as c; print(c.to_bytes(c.signature('abc def ghi jkl')).hex())"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": "123"}).stdout.strip()
    assert other == clustering.to_bytes(clustering.signature("abc def ghi jkl")).hex()
    b, r = clustering.band_params()
    assert b * r <= clustering.NUM_PERM
