"""Similar open cases for a merge: the candidates with the most title words in common first."""

from __future__ import annotations

import re
from typing import Any

WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    "dan di ke dari yang untuk dengan pada ini itu ada tidak sudah belum agar atau juga "
    "karena oleh saat akan dalam para kami kita mohon tolong the and of to in".split()
)


def title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in WORD.findall(title.lower()) if len(w) > 2 and w not in STOPWORDS)


def word_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the words of two titles that they have in common (Jaccard), 0 to 1."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def rank_similar(case: Any, candidates: Any, limit: int = 10) -> list[Any]:
    """The candidates with the most title words in common with ``case`` first (newest first
    among equals); each gets a ``similarity`` percentage."""
    own = title_words(case.title)
    ranked = []
    for position, other in enumerate(candidates):
        other.similarity = round(100 * word_overlap(own, title_words(other.title)))
        ranked.append((-other.similarity, position, other))
    ranked.sort(key=lambda item: item[:2])
    return [other for _score, _pos, other in ranked[:limit]]
