"""How well the merge form's similar cases find the same need: precision and recall at 5 on a
small labelled set built from the demo's subjects (``casework/demo.py``).

    .venv/bin/python bench/similar.py                       # SQLite: the Python scorer
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aspirasi_bench \\
        .venv/bin/python bench/similar.py                   # PostgreSQL: text search, pg_trgm

Creates a throwaway database (Django's test-database machinery), loads the reference data,
records the labelled reports as open aspirations of one kecamatan and asks, for each report
that has another report of the same need, for the similar cases a forum officer is shown.
Reports are of the same need when they ask for the same thing at the same place: two reports
of a potholed road in two desa a few kilometres apart are two needs. Prints the figures of
the ranking and of the former one (title words in common, no threshold) for comparison.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import django_setup, load_reference_data

KECAMATAN = "35.08.01"  # Tempursari
TEGALREJO, BULUREJO, KALIULING = "35.08.01.2001", "35.08.01.2002", "35.08.01.2003"
K = 5


@dataclass(frozen=True)
class Report:
    need: str  # reports with the same need are duplicates of each other
    category: str
    desa: str
    title: str
    description: str
    at: tuple[str, str] | None = None  # latitude, longitude
    days_ago: float = 1.0


# the demo's subjects (casework/demo.py SUBJECTS), told by different villagers
REPORTS = [
    # a potholed road in Tegalrejo, told three times; the same subject in Bulurejo is another
    Report(
        "road-tegalrejo",
        "infrastruktur",
        TEGALREJO,
        "Jalan desa berlubang",
        "Jalan desa di dusun Krajan berlubang besar, pengendara motor sering jatuh.",
        ("-8.2905", "113.0410"),
        3,
    ),
    Report(
        "road-tegalrejo",
        "infrastruktur",
        TEGALREJO,
        "Jalan rusak parah di Krajan",
        "Lubang di jalan Krajan makin dalam setelah hujan, mohon segera diperbaiki.",
        ("-8.2911", "113.0415"),
        1,
    ),
    Report(
        "road-tegalrejo",
        "infrastruktur",
        TEGALREJO,
        "Perbaikan jalan berlubang",
        "Mohon perbaikan jalan berlubang di Krajan dekat musala.",
        None,
        0.5,
    ),
    Report(
        "road-bulurejo",
        "infrastruktur",
        BULUREJO,
        "Jalan desa berlubang",
        "Jalan menuju balai desa Bulurejo berlubang dan becek.",
        ("-8.3300", "113.0800"),
        2,
    ),
    Report(
        "road-bulurejo",
        "infrastruktur",
        BULUREJO,
        "Jalan ke balai desa rusak",
        "Jalan ke balai desa Bulurejo rusak, lubangnya banyak.",
        ("-8.3302", "113.0805"),
        6,
    ),
    # a rotten bamboo bridge
    Report(
        "bridge",
        "infrastruktur",
        TEGALREJO,
        "Jembatan bambu rapuh",
        "Jembatan bambu penghubung dusun Krajan ke sawah sudah rapuh dan miring.",
        ("-8.2950", "113.0450"),
        4,
    ),
    Report(
        "bridge",
        "infrastruktur",
        TEGALREJO,
        "Jembatan hampir putus",
        "Jembatan bambu ke sawah hampir putus, anak sekolah takut menyeberang.",
        ("-8.2952", "113.0452"),
        1,
    ),
    # a broken irrigation channel
    Report(
        "irrigation",
        "infrastruktur",
        BULUREJO,
        "Saluran irigasi jebol",
        "Saluran irigasi sawah di Bulurejo jebol, air tidak sampai ke petak sawah.",
        None,
        5,
    ),
    Report(
        "irrigation",
        "pertanian",
        BULUREJO,
        "Irigasi sawah bocor",
        "Tanggul saluran irigasi jebol sehingga sawah petani kekeringan.",
        None,
        2,
    ),
    # the posyandu short of vaccines
    Report(
        "vaccine",
        "kesehatan",
        TEGALREJO,
        "Posyandu kekurangan vaksin",
        "Posyandu Melati kehabisan vaksin campak untuk balita bulan ini.",
        None,
        3,
    ),
    Report(
        "vaccine",
        "kesehatan",
        TEGALREJO,
        "Vaksin balita habis",
        "Bidan bilang stok vaksin di posyandu Melati habis, balita belum imunisasi.",
        None,
        1,
    ),
    # the auxiliary health centre closed
    Report(
        "pustu",
        "kesehatan",
        KALIULING,
        "Puskesmas pembantu tutup",
        "Puskesmas pembantu Kaliuling tutup terus, warga harus ke kecamatan.",
        None,
        7,
    ),
    Report(
        "pustu",
        "kesehatan",
        KALIULING,
        "Pustu tidak buka",
        "Pustu Kaliuling tidak pernah buka, tidak ada perawat yang jaga.",
        None,
        2,
    ),
    # a leaking classroom roof
    Report(
        "roof",
        "pendidikan",
        TEGALREJO,
        "Atap ruang kelas SD bocor",
        "Atap kelas 3 SDN Tegalrejo 02 bocor, murid belajar di teras saat hujan.",
        None,
        6,
    ),
    Report(
        "roof",
        "pendidikan",
        TEGALREJO,
        "Kelas bocor saat hujan",
        "Ruang kelas SDN Tegalrejo 02 bocor, plafon hampir runtuh.",
        None,
        1,
    ),
    # honorary teachers unpaid
    Report(
        "teachers",
        "pendidikan",
        BULUREJO,
        "Guru honorer belum dibayar",
        "Guru honorer SD di Bulurejo belum menerima honor tiga bulan.",
        None,
        10,
    ),
    Report(
        "teachers",
        "pendidikan",
        BULUREJO,
        "Honor guru terlambat",
        "Honor guru honorer terlambat tiga bulan, mohon kejelasan.",
        None,
        3,
    ),
    # an elderly resident without BLT
    Report(
        "blt",
        "bantuan-sosial",
        TEGALREJO,
        "Warga lansia belum terima BLT",
        "Mbah Sarmi, lansia sebatang kara, belum pernah menerima BLT.",
        None,
        8,
    ),
    Report(
        "blt",
        "bantuan-sosial",
        TEGALREJO,
        "Lansia tidak dapat bantuan",
        "Mbah Sarmi lansia belum dapat BLT padahal tinggal sendirian.",
        None,
        2,
    ),
    # PKH data wrong
    Report(
        "pkh",
        "bantuan-sosial",
        BULUREJO,
        "Data PKH tidak sesuai",
        "Penerima PKH di Bulurejo banyak yang mampu, yang miskin tidak terdata.",
        None,
        4,
    ),
    Report(
        "pkh",
        "bantuan-sosial",
        BULUREJO,
        "Penerima PKH salah sasaran",
        "PKH salah sasaran: keluarga mampu menerima, keluarga miskin tidak terdata.",
        None,
        1,
    ),
    # rubbish in the river
    Report(
        "rubbish",
        "lingkungan",
        TEGALREJO,
        "Sampah menumpuk di sungai",
        "Sampah plastik menumpuk di sungai dekat jembatan pasar, menyumbat aliran.",
        ("-8.2930", "113.0430"),
        5,
    ),
    Report(
        "rubbish",
        "lingkungan",
        TEGALREJO,
        "Sungai penuh sampah",
        "Aliran sungai dekat pasar tersumbat sampah, bau dan banyak nyamuk.",
        ("-8.2932", "113.0433"),
        1,
    ),
    # sand-mining waste
    Report(
        "mining",
        "lingkungan",
        KALIULING,
        "Limbah tambang pasir",
        "Limbah tambang pasir mengotori sungai Kaliuling, air keruh.",
        None,
        9,
    ),
    Report(
        "mining",
        "lingkungan",
        KALIULING,
        "Air sungai keruh karena tambang",
        "Tambang pasir membuang lumpur ke sungai, air keruh untuk mandi.",
        None,
        3,
    ),
    # a cracked river embankment
    Report(
        "levee",
        "kebencanaan",
        BULUREJO,
        "Tanggul sungai retak",
        "Tanggul sungai di Bulurejo retak panjang, khawatir jebol saat banjir.",
        None,
        2,
    ),
    Report(
        "levee",
        "kebencanaan",
        BULUREJO,
        "Tanggul retak rawan banjir",
        "Retakan tanggul sungai makin lebar, warga takut banjir.",
        None,
        1,
    ),
    # e-KTP not ready
    Report(
        "ktp",
        "adminduk",
        TEGALREJO,
        "KTP elektronik belum jadi",
        "Sudah rekam e-KTP enam bulan lalu tapi KTP elektronik belum jadi.",
        None,
        12,
    ),
    Report(
        "ktp",
        "adminduk",
        TEGALREJO,
        "e-KTP belum dicetak",
        "KTP elektronik saya belum dicetak padahal sudah rekam lama.",
        None,
        2,
    ),
    # single reports: requests for information, and subjects near others in words only
    Report(
        "ktp-service",
        "permintaan-informasi",
        TEGALREJO,
        "Jadwal pelayanan KTP keliling",
        "Kapan jadwal pelayanan KTP keliling ke desa Tegalrejo?",
        None,
        3,
    ),
    Report(
        "housing",
        "permintaan-informasi",
        BULUREJO,
        "Syarat pengajuan bedah rumah",
        "Apa syarat pengajuan bantuan bedah rumah untuk warga miskin?",
        None,
        4,
    ),
    Report(
        "street-light",
        "infrastruktur",
        TEGALREJO,
        "Lampu jalan mati",
        "Lampu penerangan jalan di pertigaan Krajan mati seminggu.",
        ("-8.2990", "113.0500"),
        2,
    ),
    Report(
        "school-toilet",
        "pendidikan",
        KALIULING,
        "Toilet sekolah rusak",
        "Toilet SD Kaliuling rusak, murid harus pulang ke rumah.",
        None,
        5,
    ),
    Report(
        "market-drain",
        "lingkungan",
        BULUREJO,
        "Selokan pasar mampet",
        "Selokan di pasar Bulurejo mampet, air meluap ke jalan.",
        None,
        3,
    ),
]


def record(reports: list[Report]) -> list[Any]:
    """The reports as open aspirations (received from the web, nobody's identity)."""
    from datetime import timedelta

    from django.utils import timezone

    from casework import services
    from casework.models import Case

    cases = []
    now = timezone.now()
    for report in reports:
        lat, lon = (Decimal(report.at[0]), Decimal(report.at[1])) if report.at else (None, None)
        case = services.submit_case(
            actor=None,
            title=report.title,
            description=report.description,
            category=report.category,
            desa=report.desa,
            channel="web",
            priority="sedang",
            confidentiality="biasa",
            latitude=lat,
            longitude=lon,
            contact_consent=False,
        )
        Case.objects.filter(pk=case.pk).update(created_at=now - timedelta(days=report.days_ago))
        cases.append(Case.objects.get(pk=case.pk))
    return cases


def former_ranking(case: Any, pool: list[Any]) -> list[Any]:
    """The former candidates: the same category or desa, most title words in common first."""
    from casework.web.similar import words

    own = set(words(case.title))

    def overlap(other: Any) -> float:
        theirs = set(words(other.title))
        return len(own & theirs) / len(own | theirs) if own and theirs else 0.0

    eligible = [o for o in pool if o.category_id == case.category_id or o.desa_id == case.desa_id]
    return sorted(eligible, key=lambda o: (-overlap(o), -o.created_at.timestamp()))


@dataclass
class Figures:
    queries: int
    shown: int
    relevant_shown: int
    relevant: int
    nothing_shown: int

    @property
    def precision(self) -> float:
        return self.relevant_shown / self.shown if self.shown else 0.0

    @property
    def recall(self) -> float:
        return self.relevant_shown / self.relevant if self.relevant else 0.0


def evaluate(reader: Any, reports: list[Report] | None = None) -> tuple[Figures, Figures]:
    """Precision and recall at 5 of the ranking and of the former one, recording
    ``reports`` (the labelled set by default) as the only open cases of the kecamatan;
    ``reader`` is the officer the candidates are shown to."""
    from casework.models import Case
    from casework.web.similar import similar_cases

    reports = REPORTS if reports is None else reports
    cases = record(reports)
    need = {case.pk: report.need for case, report in zip(cases, reports, strict=True)}
    now_figures = Figures(0, 0, 0, 0, 0)
    former = Figures(0, 0, 0, 0, 0)
    everyone = list(Case.objects.filter(pk__in=need))
    for case in cases:
        relevant = {pk for pk, n in need.items() if n == need[case.pk] and pk != case.pk}
        if not relevant:
            continue
        for figures, shown in (
            (now_figures, [c.pk for c in similar_cases(reader, case, K)]),
            (former, [c.pk for c in former_ranking(case, [o for o in everyone if o != case])][:K]),
        ):
            figures.queries += 1
            figures.relevant += min(len(relevant), K)
            figures.shown += len(shown)
            figures.relevant_shown += len(relevant & set(shown))
            figures.nothing_shown += not shown
    return now_figures, former


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_similar"
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default": True})
    try:
        from casework.models import Unit, UnitKind
        from casework.people import provision_officer

        load_reference_data()
        Unit.objects.filter(kind=UnitKind.KIM, code=TEGALREJO).update(active=True)
        reader, _created, _password = provision_officer(
            username="bench_forum",
            role="forum_officer",
            unit_code=KECAMATAN,
            password="bench-only-pass-1",
        )
        ranking, former = evaluate(reader)
        print(f"database: {connection.vendor}; {len(REPORTS)} reports, {ranking.queries} queries")
        print(f"{'':<38}{'precision@5':>12}{'recall@5':>10}{'shown':>7}{'none':>6}")
        for name, figures in (
            ("text, place and age, with threshold", ranking),
            ("former: title words, no threshold", former),
        ):
            print(
                f"{name:<38}{figures.precision:>12.2f}{figures.recall:>10.2f}"
                f"{figures.shown:>7}{figures.nothing_shown:>6}"
            )
    finally:
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
