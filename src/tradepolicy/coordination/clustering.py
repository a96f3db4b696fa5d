"""Form-letter clustering: MinHash signatures (datasketch) over word shingles, banded for LSH lookup.

A comment joins the cluster of an earlier comment (its representative) when their estimated
Jaccard similarity over word 3-shingles is at least :data:`THRESHOLD`; otherwise it starts a
cluster of its own. The bands (``b`` rows of ``r`` hash values, the parameters datasketch's
``MinHashLSH`` chooses for the threshold) are stored with each representative, so a new
submission finds its candidates by an indexed lookup instead of a scan.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

THRESHOLD = 0.5
# The bands are tuned for a lower similarity than THRESHOLD, so a copy whose edits cost it some
# shingles still meets its template's representative as a candidate (the exact check against
# THRESHOLD then decides). Measured on the bench's 50,000 generated comments (60 % form letters,
# 1-3 words changed; bench/results/coordination.md): share of copies in their template's cluster
# 0.9464 with bands for 0.5 (14 x 4), 0.9559 for 0.4 (16 x 4), 1.0000 for 0.3 (21 x 3); no unique
# text joined a template cluster in any; 128 permutations reach 1.0000 at 0.4 but cost 1.5x the
# signature time. Changing NUM_PERM or LSH_THRESHOLD needs the stored bands rebuilt
# (migration 0007_coord_bands does it for this change).
LSH_THRESHOLD = 0.3
NUM_PERM = 64
SHINGLE = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def _identity(h: int) -> int:
    return h


@lru_cache(maxsize=1)
def band_params() -> tuple[int, int]:
    """Return datasketch's (bands, rows) for :data:`LSH_THRESHOLD` and :data:`NUM_PERM` (21 x 3)."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return int(lsh.b), int(lsh.r)


def shingles(text: str) -> set[bytes]:
    """Return the word 3-shingles of ``text`` (case-folded) as bytes (the exact set, for checks).

    >>> sorted(shingles("The tariff hurts us"))
    [b'tariff hurts us', b'the tariff hurts']
    """
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


_MIX = (np.uint64(0x9E3779B1), np.uint64(0x85EBCA77))
_MERSENNE = np.uint64((1 << 61) - 1)  # datasketch's universal-hash modulus
_MAX_HASH = np.uint64((1 << 32) - 1)
_WORD_HASH: dict[str, int] = {}
CHUNK = 64  # texts per vectorised block: ~7k shingles x NUM_PERM x 8 bytes ~ 4 MB stays in cache (512: 1.8x slower)


def _word_hashes(words: list[str]) -> np.ndarray:
    """Return crc32 of each word, memoised (form letters repeat the same words over and over)."""
    cache = _WORD_HASH
    if len(cache) > 1_000_000:
        cache.clear()
    out = np.empty(len(words), dtype=np.uint64)
    for i, w in enumerate(words):
        h = cache.get(w)
        if h is None:
            h = cache[w] = zlib.crc32(w.encode())
        out[i] = h
    return out


def shingle_hashes(text: str, *, unique: bool = True) -> np.ndarray:
    """Return 32-bit hashes of the word 3-shingles of ``text``: crc32 of each word, combined per shingle.

    Deterministic across processes (no salted ``hash()``), so stored signatures stay comparable.
    ``unique=False`` keeps repeats (a minimum does not care) and skips the sort.
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    if len(words) < SHINGLE:
        return np.array([zlib.crc32(" ".join(words).encode())], dtype=np.uint64)
    w = _word_hashes(words)
    h = (w[:-2] * _MIX[0] + w[1:-1] * _MIX[1] + w[2:]) & np.uint64(0xFFFFFFFF)
    return np.unique(h) if unique else h


@lru_cache(maxsize=1)
def _seed_hash() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity)


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    a, b = _seed_hash().permutations
    return np.asarray(a, dtype=np.uint64), np.asarray(b, dtype=np.uint64)


def signature(text: str) -> np.ndarray:
    """Return the MinHash signature of ``text`` (``NUM_PERM`` values; datasketch's permutations).

    Equal, value for value, to ``datasketch.MinHash(num_perm=NUM_PERM, seed=1).update_batch`` over
    the shingle hashes (tested), computed by :func:`signatures`.
    """
    return signatures([text])[0]


def signatures(texts: Sequence[str]) -> np.ndarray:
    """Return the MinHash signatures of many texts at once, shape ``(len(texts), NUM_PERM)``.

    Vectorised over a block of texts: every shingle hash of the block goes through datasketch's
    permutations ``((h * a + b) mod (2**61 - 1)) & (2**32 - 1)`` in one numpy expression, and
    each text's minimum is taken with ``np.minimum.reduceat``. A text without words keeps
    datasketch's initial value (``2**32 - 1``) in every position.
    """
    a, b = _permutations()
    out = np.full((len(texts), NUM_PERM), _MAX_HASH, dtype=np.uint64)
    for start in range(0, len(texts), CHUNK):
        parts = [shingle_hashes(t, unique=False) for t in texts[start:start + CHUNK]]
        sizes = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        nonempty = np.flatnonzero(sizes)
        if not len(nonempty):
            continue
        hv = np.concatenate([parts[i] for i in nonempty])
        phv = ((hv[:, None] * a + b) % _MERSENNE) & _MAX_HASH
        offsets = np.concatenate(([0], np.cumsum(sizes[nonempty])[:-1]))
        out[start + nonempty] = np.minimum.reduceat(phv, offsets, axis=0)
    return out


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Return the Jaccard similarity estimated from two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def bands(sig: np.ndarray) -> list[int]:
    """Return one signed 63-bit hash per band of ``sig`` (band number folded in)."""
    b, r = band_params()
    raw = np.ascontiguousarray(sig, dtype=np.uint64).tobytes()
    step = 8 * r
    return [int.from_bytes(hashlib.blake2b(raw[i * step:(i + 1) * step], digest_size=8, person=_PERSON[i]).digest(),
                           "big", signed=True) for i in range(b)]


_PERSON = [bytes([i]) * 8 for i in range(256)]


def to_bytes(sig: np.ndarray) -> bytes:
    """Pack a signature for storage."""
    return sig.astype(np.uint32).tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    """Unpack a stored signature."""
    return np.frombuffer(raw, dtype=np.uint32).astype(np.uint64)


@dataclass
class Clusterer:
    """In-memory LSH index of cluster representatives (used for bulk ingest and seeded from storage)."""

    index: dict[int, list[int]]
    sigs: dict[int, np.ndarray]

    @classmethod
    def empty(cls) -> Clusterer:
        """Return a clusterer with no representatives."""
        return cls({}, {})

    def add_representative(self, rep_id: int, sig: np.ndarray, band_hashes: list[int] | None = None) -> None:
        """Index ``rep_id`` as the representative of a cluster."""
        self.sigs[rep_id] = sig
        for h in band_hashes if band_hashes is not None else bands(sig):
            self.index.setdefault(h, []).append(rep_id)

    def assign(self, sig: np.ndarray, band_hashes: list[int] | None = None) -> tuple[int | None, float]:
        """Return (representative id, similarity) of the best cluster at or above the threshold, else (None, 0)."""
        best, best_j = None, 0.0
        seen: set[int] = set()
        for h in band_hashes if band_hashes is not None else bands(sig):
            for rep in self.index.get(h, ()):
                if rep in seen:
                    continue
                seen.add(rep)
                j = jaccard(sig, self.sigs[rep])
                if j >= THRESHOLD and j > best_j:
                    best, best_j = rep, j
        return best, best_j
