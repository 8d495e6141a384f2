"""The ranking of similar open cases on the labelled set of ``bench/similar.py`` (reports of
the demo's subjects, duplicates labelled by need): most of what it shows is the same need, it
finds most duplicates, and it beats the former title-word ranking."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.similar import evaluate

pytestmark = pytest.mark.django_db


def test_similar_cases_find_the_same_need_on_the_labelled_set(officers):
    ranking, former = evaluate(officers["forum"])
    assert ranking.queries >= 25
    # PostgreSQL's stemmer and trigrams; SQLite's light Python scorer is a little noisier
    assert ranking.precision >= (0.85 if connection.vendor == "postgresql" else 0.75), ranking
    assert ranking.recall >= 0.9, ranking
    assert ranking.shown < former.shown / 2  # far less noise than the former list
    assert ranking.precision > former.precision + 0.5
