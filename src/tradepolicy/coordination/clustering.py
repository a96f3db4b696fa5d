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
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

THRESHOLD = 0.5
NUM_PERM = 64
SHINGLE = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def _identity(h: int) -> int:
    return h


@lru_cache(maxsize=1)
def band_params() -> tuple[int, int]:
    """Return datasketch's (bands, rows) for :data:`THRESHOLD` and :data:`NUM_PERM`."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
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


def shingle_hashes(text: str) -> np.ndarray:
    """Return 32-bit hashes of the word 3-shingles of ``text``: crc32 of each word, combined per shingle.

    Deterministic across processes (no salted ``hash()``), so stored signatures stay comparable.
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    w = np.fromiter((zlib.crc32(x.encode()) for x in words), dtype=np.uint64, count=len(words))
    if len(w) < SHINGLE:
        return np.array([zlib.crc32(" ".join(words).encode())], dtype=np.uint64)
    h = (w[:-2] * _MIX[0] + w[1:-1] * _MIX[1] + w[2:]) & np.uint64(0xFFFFFFFF)
    return np.unique(h)


@lru_cache(maxsize=1)
def _seed_hash() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity)


def signature(text: str) -> np.ndarray:
    """Return the MinHash signature of ``text`` (``NUM_PERM`` values; datasketch's permutations)."""
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity, permutations=_seed_hash().permutations)
    hv = shingle_hashes(text)
    if len(hv):
        m.update_batch(hv.tolist())
    return np.asarray(m.hashvalues, dtype=np.uint64)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Return the Jaccard similarity estimated from two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def bands(sig: np.ndarray) -> list[int]:
    """Return one signed 63-bit hash per band of ``sig`` (band number folded in)."""
    b, r = band_params()
    out = []
    for i in range(b):
        h = hashlib.blake2b(sig[i * r:(i + 1) * r].tobytes(), digest_size=8, person=bytes([i]) * 8).digest()
        out.append(int.from_bytes(h, "big", signed=True))
    return out


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
