"""Similar open cases for a merge: the candidates that read like the same need, best first,
each with the reasons it matched ("kata yang sama: jalan, rusak · desa yang sama · 1,2 km").

A candidate is scored on its text first (the stems of title and description it shares with
the case, and how alike the two titles are), then on place (the same desa, the distance when
both cases have coordinates) and on age (cases received close together). Only candidates whose
text is alike enough are shown.

On PostgreSQL the text is read by the ``indonesian`` text search configuration (its Snowball
stemmer) and the titles compared by ``pg_trgm``'s trigram similarity, in the query of
:func:`casework.selectors.similar_open_cases`; elsewhere (SQLite) the same shape is computed
here: a light Indonesian affix stripper and the same trigram measure.

Candidates are the cases the reader may open (their scope, as everywhere); what the list
shows of one is what its case page shows them: a *rahasia* case's text is read by the officers
of its scope, never by the public, and no candidate names its reporter.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from casework import refdata, selectors

WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
# words too common in aspirations to say two of them are about the same need
STOPWORDS = frozenset(
    """
    dan di ke dari yang untuk dengan pada ini itu ada tidak sudah belum agar atau juga karena
    oleh saat akan dalam para kami kita mohon tolong sejak sangat masih bisa lagi sehingga
    tersebut adalah namun tetapi sampai hingga bagi tentang bila jika kalau harap segera
    warga desa dusun kampung lingkungan rt rw pak bu bapak ibu laporan lapor aspirasi
    kim hari minggu bulan tahun sering sekali banyak mulai sekitar depan dekat
    the and of to in
    """.split()
)

# weights of the score (text, place, age) and the thresholds to be shown
W_TEXT, W_PLACE, W_AGE = 0.7, 0.2, 0.1
TEXT_WORDS, TEXT_TITLE = 0.75, 0.25
MIN_TEXT = 0.1  # text alike below this: not the same need, whatever the place
MIN_SCORE = 0.35
NEAR_KM = 3.0  # proximity falls to nothing at this distance
AGE_DAYS = 90.0  # closeness in time falls to nothing at this gap
POOL = 50  # candidates the database hands over for scoring
SHOWN_WORDS = 4


# ----------------------------------------------------------------------------- text


def words(text: str) -> list[str]:
    """The words of a text (letters only, three or more), lower case, stop words left out."""
    return [w for w in WORD.findall(text.lower()) if w not in STOPWORDS]


PREFIXES = (
    *("meng", "meny", "mem", "men", "me"),
    *("peng", "peny", "pem", "pen", "per", "pe"),
    *("ber", "ter", "di", "ke", "se"),
)
PARTICLES = ("nya", "lah", "kah", "pun")
SUFFIXES = ("kan", "an", "i")
VOWELS = frozenset("aiueo")


def stem(word: str) -> str:
    """A light Indonesian stem: particles, possessives and the common affixes stripped while
    four letters or more remain (``perbaikan`` → ``baik``, ``jalannya`` → ``jalan``)."""
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 4:
            word = word[: -len(particle)]
            break
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "kan" and word[-4] in VOWELS:
                continue  # perbai-kan: the root ends in k (perbaik-an)
            word = word[: -len(suffix)]
            break
    for prefix in PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            return word[len(prefix) :]
    return word


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def stems_of(text: str) -> dict[str, str]:
    """Each stem of ``text`` with the first word it came from."""
    found = words(text)
    if on_postgresql():
        by_word = selectors.stems_of(found)
    else:
        by_word = {w: stem(w) for w in found}
    stems: dict[str, str] = {}
    for w in found:
        s = by_word.get(w)
        if s and s not in STOPWORDS:
            stems.setdefault(s, w)
    return stems


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for w in re.findall(r"[^\W_]+", text.lower(), re.UNICODE):
        padded = f"  {w} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity``: shared trigrams over all trigrams of the two texts."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)


def distance_km(a: Any, b: Any) -> float | None:
    """Great-circle distance between two cases with coordinates, else None."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(
        math.radians, (float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


# ----------------------------------------------------------------------------- scoring


@dataclass
class Match:
    """Why a candidate matched: its score and what it has in common with the case."""

    score: float
    text: float
    shared: list[str] = field(default_factory=list)  # the case's own words
    title_similarity: float = 0.0
    same_desa: bool = False
    km: float | None = None


def their_stems(case: Any, other: Any) -> tuple[set[str], float]:
    """The stems of ``other``'s text and how alike its title is to ``case``'s."""
    lexemes = getattr(other, "lexemes", None)
    if lexemes is not None:  # read by the database
        theirs = {s for s in str(lexemes).split() if s not in STOPWORDS}
        return theirs, float(getattr(other, "title_similarity", 0.0) or 0.0)
    return set(stems_of(f"{other.title} {other.description}")), trigram_similarity(
        case.title, other.title
    )


def match(
    case: Any,
    own: dict[str, str],
    other: Any,
    theirs: set[str],
    title_sim: float,
    weight: dict[str, float],
) -> Match:
    """Score ``other`` against ``case``: the stems they share, each weighted by how rare it
    is among the candidates (a word every report uses says little), and the place and age."""
    shared = [s for s in own if s in theirs]
    norm = math.sqrt(
        sum(weight.get(s, 1.0) ** 2 for s in own) * sum(weight.get(s, 1.0) ** 2 for s in theirs)
    )
    overlap = sum(weight.get(s, 1.0) ** 2 for s in shared) / norm if norm else 0.0
    text = TEXT_WORDS * overlap + TEXT_TITLE * title_sim
    same_desa = other.desa_id == case.desa_id
    km = distance_km(case, other)
    place = 1.0 if same_desa else 0.0
    if km is not None:
        place = max(-1.0, 1 - km / NEAR_KM)  # far apart counts against
    gap = abs((case.created_at - other.created_at).total_seconds()) / 86400
    recent = max(0.0, 1 - gap / AGE_DAYS)
    score = W_TEXT * text + W_PLACE * place + W_AGE * recent
    words_shared = sorted(shared, key=lambda s: -weight.get(s, 1.0))
    return Match(score, text, [own[s] for s in words_shared], title_sim, same_desa, km)


def shown(found: Match) -> bool:
    return found.text >= MIN_TEXT and found.score >= MIN_SCORE


def rank(case: Any, candidates: Any, own: dict[str, str] | None = None) -> list[tuple[Any, Match]]:
    """The candidates alike enough to ``case``, best first (newest first among equals)."""
    places = place_words()
    if own is None:
        own = stems_of(f"{case.title} {case.description}")
    own = {s: w for s, w in own.items() if s not in places and w not in places}
    read = []
    for other in candidates:
        theirs, title_sim = their_stems(case, other)
        read.append((other, theirs - places, title_sim))
    # rarer stems weigh more: inverse document frequency over the case and its candidates
    documents = [set(own), *(theirs for _other, theirs, _sim in read)]
    frequency = Counter(s for document in documents for s in document)
    weight = {s: math.log(1 + len(documents) / n) for s, n in frequency.items()}
    scored = [
        (other, match(case, own, other, theirs, title_sim, weight))
        for other, theirs, title_sim in read
    ]
    kept = [(other, found) for other, found in scored if shown(found)]
    kept.sort(key=lambda item: (-item[1].score, -item[0].created_at.timestamp()))
    return kept


def place_words() -> frozenset[str]:
    """The words of the region names (desa, kecamatan): the place is scored on its own."""
    names = (region.name for region in refdata.snapshot().regions.values())
    found = {w for name in names for w in WORD.findall(name.lower())}
    return frozenset(found | {stem(w) for w in found})


# ----------------------------------------------------------------------------- the page


def reasons(found: Match) -> list[str]:
    """Why a candidate matched, in the reader's words."""
    said = []
    if found.shared:
        said.append(_("same words: %(words)s") % {"words": ", ".join(found.shared[:SHOWN_WORDS])})
    elif found.title_similarity >= 0.4:
        said.append(_("similar title"))
    if found.same_desa:
        said.append(_("same desa"))
    if found.km is not None:
        said.append(_("%(km)s km away") % {"km": number_format(found.km, 1)})
    return said


def similar_cases(user: Any, case: Any, limit: int = 10) -> list[Any]:
    """The open cases of the kecamatan most like ``case`` that ``user`` may see, best first;
    each gets ``similarity`` (a percentage) and ``reasons``."""
    own = stems_of(f"{case.title} {case.description}")
    pool = selectors.similar_open_cases(user, case, own, POOL)
    result = []
    for other, found in rank(case, pool, own)[:limit]:
        other.similarity = round(100 * found.score)
        other.reasons = reasons(found)
        result.append(other)
    return result
