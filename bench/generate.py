"""Bulk-load realistic cases into PostgreSQL, set-based, for the scale benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aspirasi_scale \
        .venv/bin/python bench/generate.py --cases 1000000 [--open-fraction 1.0] [--seed 1] \
            [--reset]

Creates the database when it is missing, runs ``manage.py migrate``, ``load_regions`` and
``load_reference``, provisions officers for every forum, OPD and the supervising office
(``gen_<role>_<unit code>_<n>``, password ``bench-only-pass-1``, e-mail
``<username>@example.org``), then writes the cases with a handful of ``INSERT … SELECT``
statements over ``generate_series`` per chunk: no ORM per row.

The rows are those the services write for the same history (compared with a real case: the
script submits one through ``casework.services.submit_case`` in a transaction it rolls back,
and checks the engine's strings against it). Open cases (``--open-fraction``, default all)
are spread 20 % ``forwarded``, 15 % ``in_triage``, 20 % ``dispatched``, 45 % ``in_progress``;
each has its case row, its process (``NEW``), the tasks of its history (start, triage,
dispatch gateway, OPD acceptance, …, ``DONE``), exactly one open human task of the current
stage (``NEW`` in the unit's queue or ``ASSIGNED`` to an officer of the unit), the
``previous`` links between tasks, its OPD assignment and its audit events. The open task's
deadline is the stage's real deadline (working days, close of business) from a start in the
recent past, chosen so that the deadline and the 75 % reminder point are in the future:
a sweep right after loading has nothing to do. Closed cases (the rest) are ``closed``
(confirmed after an OPD answered, 85 %) or ``rejected`` at triage (15 %), with their full,
finished history. Every value is a hash of the case's index and ``--seed``: the same seed
gives the same data.

``--reset`` truncates the case data first (cases and everything hanging off them); without
it the new cases are added to those already there. Loads of 50,000 cases or more drop the
secondary indexes of the bulk tables, load with foreign-key triggers off
(``session_replication_role = replica``, when the role may) and build the indexes again, all
in one transaction; smaller loads keep everything in place. ``VACUUM ANALYZE`` ends the run.

``generate(connection, cases=…, seed=…)`` is the same load without the command-line part
(the tests call it inside their transaction).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aspirasi_scale"
OFFICER_PASSWORD = "bench-only-pass-1"  # benchmark databases only
FAST_THRESHOLD = 50_000
MAX_CASES = 1 << 24  # tracking codes are a bijection of the case index below this

# the tables a load writes, in dependency order
BULK_TABLES = (
    "casework_case",
    "casework_caseprocess",
    "casework_casetask",
    "casework_casetask_previous",
    "casework_assignment",
    "casework_caseevent",
)

TEMP_TABLES = (
    "gen_c",
    "gen_desa",
    "gen_cat",
    "gen_pick",
    "gen_days",
    "gen_slot",
    "gen_slotn",
    "gen_tpl",
    "gen_evt",
    "gen_secret",
)

# path codes: the history a case went through
# F forwarded, T in_triage, D dispatched, P in_progress, C closed, R rejected
PATH_STATUS = {
    "F": "forwarded",
    "T": "in_triage",
    "D": "dispatched",
    "P": "in_progress",
    "C": "closed",
    "R": "rejected",
}
OPEN_MIX = (("F", 0.20), ("T", 0.15), ("D", 0.20), ("P", 0.45))
CLOSED_MIX = (("C", 0.85), ("R", 0.15))

# tasks of each path: (node, status, stage)
PATH_TASKS: dict[str, list[tuple[str, str, str]]] = {
    "F": [("start", "DONE", ""), ("triage", "NEW", "triage")],
    "T": [("start", "DONE", ""), ("triage", "ASSIGNED", "triage")],
    "D": [
        ("start", "DONE", ""),
        ("triage", "DONE", "triage"),
        ("dispatch", "DONE", ""),
        ("opd_accept", "NEW", "opd_acceptance"),
    ],
    "P": [
        ("start", "DONE", ""),
        ("triage", "DONE", "triage"),
        ("dispatch", "DONE", ""),
        ("opd_accept", "DONE", "opd_acceptance"),
        ("opd_respond", "ASSIGNED", "opd_response"),
    ],
    "C": [
        ("start", "DONE", ""),
        ("triage", "DONE", "triage"),
        ("dispatch", "DONE", ""),
        ("opd_accept", "DONE", "opd_acceptance"),
        ("opd_respond", "DONE", "opd_response"),
        ("join", "DONE", ""),
        ("confirm", "DONE", "confirmation"),
        ("end_closed", "DONE", ""),
    ],
    "R": [("start", "DONE", ""), ("triage", "DONE", "triage"), ("end_rejected", "DONE", "")],
}
# audit events of each path: (kind, action, from status, to status)
PATH_EVENTS: dict[str, list[tuple[str, str, str, str]]] = {
    "F": [("submit", "submit", "", "forwarded")],
    "T": [
        ("submit", "submit", "", "forwarded"),
        ("claim_triage", "claim", "forwarded", "in_triage"),
    ],
}
PATH_EVENTS["D"] = [*PATH_EVENTS["T"], ("dispatch", "dispatch", "in_triage", "dispatched")]
PATH_EVENTS["P"] = [
    *PATH_EVENTS["D"],
    ("claim_opd", "claim", "dispatched", "dispatched"),
    ("accept", "accept", "dispatched", "in_progress"),
]
PATH_EVENTS["C"] = [
    *PATH_EVENTS["P"],
    ("respond", "respond", "in_progress", "responded"),
    ("confirm", "confirm", "responded", "closed"),
]
PATH_EVENTS["R"] = [*PATH_EVENTS["T"], ("reject", "reject", "in_triage", "rejected")]

PRIORITIES = ("rendah", "sedang", "tinggi", "darurat")
PRIORITY_MIX = (0.15, 0.60, 0.20, 0.05)
CATEGORY_WEIGHT = {
    "infrastruktur": 25,
    "kesehatan": 10,
    "pendidikan": 8,
    "bantuan-sosial": 14,
    "adminduk": 10,
    "lingkungan": 7,
    "ketertiban": 5,
    "kebencanaan": 4,
    "pertanian": 6,
    "pemerintahan-desa": 4,
    "permintaan-informasi": 5,
    "lainnya": 2,
}
TITLES = {
    "infrastruktur": [
        "Jalan desa berlubang",
        "Jembatan bambu rapuh",
        "Saluran irigasi jebol",
        "Lampu penerangan jalan mati",
    ],
    "kesehatan": ["Posyandu kekurangan vaksin", "Puskesmas pembantu tutup", "Kasus demam berdarah"],
    "pendidikan": ["Atap ruang kelas SD bocor", "Guru honorer belum dibayar"],
    "bantuan-sosial": ["Warga lansia belum terima BLT", "Data PKH tidak sesuai"],
    "adminduk": ["KTP elektronik belum jadi", "Akta kelahiran salah nama"],
    "lingkungan": ["Sampah menumpuk di sungai", "Limbah tambang pasir"],
    "ketertiban": ["Balap liar tiap malam minggu", "Pedagang menutup trotoar"],
    "kebencanaan": ["Tanggul sungai retak", "Tebing longsor ke jalan"],
    "pertanian": ["Pupuk bersubsidi langka", "Serangan hama tikus"],
    "pemerintahan-desa": ["Papan APBDes tidak dipasang", "Pelayanan kantor desa tutup"],
    "permintaan-informasi": ["Jadwal pelayanan KTP keliling", "Syarat pengajuan bedah rumah"],
}
GENERIC_TITLES = ["Keluhan warga", "Usulan warga"]
DETAILS = [
    "Sudah dilaporkan ke perangkat desa tetapi belum ada tindak lanjut.",
    "Kondisi ini sudah berlangsung lebih dari satu bulan.",
    "Warga berharap segera ditangani sebelum musim hujan.",
    "Mohon dicek langsung ke lokasi oleh petugas.",
    "Banyak warga dusun yang terdampak.",
]
NAMES = [
    "Siti Aminah",
    "Budi Santoso",
    "Sri Wahyuni",
    "Ahmad Fauzi",
    "Dewi Lestari",
    "Agus Salim",
    "Nur Hidayati",
    "Eko Prasetyo",
    "Rina Marlina",
    "Slamet Riyadi",
    "Yuli Astuti",
    "Hadi Susanto",
    "Wati Kusuma",
    "Joko Widodo",
    "Lilik Suryani",
    "Imam Syafii",
]
RESPONSE = "Telah ditindaklanjuti oleh tim lapangan."
REJECTION = "Bukan aspirasi: promosi usaha."
OFFICER_ROLES = {
    "forum": (("forum_officer", 2), ("forum_coordinator", 1)),
    "opd": (("opd_officer", 2), ("opd_head", 1)),
    "supervisor": (("supervisor", 1),),
}
SECRET_POOL = 1024  # distinct encrypted phone numbers and NIKs the cases draw from
REMIND_MARGIN = timedelta(hours=6)  # the first step of an open task falls this far ahead at least


@dataclass
class GenerateResult:
    cases: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    first_index: int = 0
    fast: bool = False

    def summary(self) -> str:
        rows = ", ".join(
            f"{table.removeprefix('casework_')} {n:,}" for table, n in self.rows.items()
        )
        phases = ", ".join(f"{name} {secs:.1f} s" for name, secs in self.phases.items())
        rate = self.cases / self.seconds if self.seconds else 0.0
        return (
            f"{self.cases:,} cases in {self.seconds:.1f} s ({rate:,.0f} cases/s; {rows}); {phases}"
        )


# ----------------------------------------------------------------------------- helpers


def _r(k: int) -> str:
    """SQL for a uniform number in [0, 1) drawn from the case index ``g`` and the seed."""
    return (
        f"((hashint8extended(g, {{seed}} * 1000 + {k}) & 4503599627370495)::float8"
        " / 4503599627370496.0)"
    )


def _pick(r: str, mix: tuple[tuple[str, float], ...]) -> str:
    """SQL CASE choosing a code by cumulative weight of the uniform ``r``."""
    total = sum(w for _c, w in mix)
    acc, parts = 0.0, []
    for code, weight in mix[:-1]:
        acc += weight / total
        parts.append(f"WHEN {r} < {acc:.6f} THEN '{code}'")
    return f"(CASE {' '.join(parts)} ELSE '{mix[-1][0]}' END)"


def _tracking_sql() -> str:
    """A 12-symbol Crockford code of a 60-bit value made from the case index g by steps that
    are each a bijection (an odd multiplier below 2^36 with g < 2^24, adding a key mod 2^60,
    a rotation, an xor-shift): generated codes never repeat and do not look sequential."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    x = "((g * 48271069213 + {key}) & 1152921504606846975)"
    y = f"((({x} & 34359738367) << 25) | ({x} >> 35))"
    z = f"({y} # ({y} >> 23))"
    return " || ".join(
        f"substr('{alphabet}', ((({z} >> {5 * (11 - j)}) & 31) + 1)::int, 1)" for j in range(12)
    )


def _execute(cursor: Any, sql: str, params: Any = None) -> None:
    cursor.execute(sql, params)


def flow_strings() -> dict[str, tuple[str, str]]:
    """What viewflow stores for each node of the case flow: (flow_task, flow_task_type), plus
    the process's flow_class under the key ``""``."""
    from viewflow.workflow.fields import get_flow_ref, get_task_ref

    from workflows.flows import CaseFlow

    nodes = {name: getattr(CaseFlow, name) for task in PATH_TASKS.values() for name, *_ in task}
    strings = {name: (get_task_ref(node), node.task_type) for name, node in nodes.items()}
    strings[""] = (get_flow_ref(CaseFlow), "")
    return strings


def probe_engine(strings: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Submit one real case through the service, read back what the engine stored, roll it
    back, and check the strings this generator writes against it."""
    from django.db import connection, transaction

    from casework import refdata, services
    from casework.models import Category, Region, RegionLevel

    desa = (
        Region.objects.filter(level__in=[RegionLevel.DESA, RegionLevel.KELURAHAN])
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    category = Category.objects.filter(active=True).order_by("pk").values_list("code", flat=True)
    refdata.invalidate()
    with transaction.atomic():
        case = services.submit_case(
            actor=None,
            title="Probe",
            description="Probe of the stored engine strings.",
            category=category.first(),
            desa=desa,
            channel="web",
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT flow_class, status FROM casework_caseprocess WHERE case_id = %s", [case.pk]
            )
            flow_class, process_status = cursor.fetchone()
            cursor.execute(
                "SELECT flow_task, flow_task_type, status, token, stage FROM casework_casetask "
                "WHERE case_id = %s ORDER BY id",
                [case.pk],
            )
            tasks = cursor.fetchall()
        transaction.set_rollback(True)
    found = {"flow_class": flow_class, "process_status": process_status}
    if flow_class != strings[""][0]:
        raise RuntimeError(f"flow_class {flow_class!r} != {strings[''][0]!r}")
    start, first = tasks[0], tasks[-1]
    if (start[0], start[1], start[3]) != (*strings["start"], "start"):
        raise RuntimeError(f"start task stored as {start!r}, expected {strings['start']!r}")
    node = first[0].rsplit(".", 1)[-1]
    if node in strings and (first[0], first[1]) != strings[node]:
        raise RuntimeError(f"{node} task stored as {first!r}, expected {strings[node]!r}")
    if first[1] != "HUMAN" or first[2] != "NEW" or first[3] != "start":
        raise RuntimeError(f"unexpected first human task {first!r}")
    found.update(start_task=start[0], first_task=first[0], human_type=first[1], token=first[3])
    return found


def ensure_officers() -> dict[str, Any]:
    """Officers with e-mail addresses in every forum, OPD and the supervising office:
    ``gen_<role>_<unit code>_<n>``. Returns the officers per unit id and role."""
    from django.contrib.auth.hashers import make_password

    from casework.models import Unit, UnitKind, User

    units = list(Unit.objects.filter(kind__in=[UnitKind.FORUM, UnitKind.OPD, UnitKind.SUPERVISOR]))
    wanted: dict[str, tuple[Unit, str]] = {}
    for unit in units:
        for role, count in OFFICER_ROLES[unit.kind]:
            for n in range(1, count + 1):
                wanted[f"gen_{role}_{unit.code}_{n}"] = (unit, role)
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    missing = [name for name in wanted if name not in existing]
    if missing:
        password = make_password(OFFICER_PASSWORD)
        User.objects.bulk_create(
            [
                User(
                    username=name,
                    unit=wanted[name][0],
                    role=wanted[name][1],
                    email=f"{name}@example.org",
                    password=password,
                    first_name=name.split("_")[1].capitalize(),
                    last_name=wanted[name][0].code,
                )
                for name in missing
            ],
            ignore_conflicts=True,
        )
    by_unit: dict[tuple[int, str], list[int]] = {}
    for pk, unit_id, role in (
        User.objects.filter(username__in=wanted)
        .order_by("username")
        .values_list("pk", "unit_id", "role")
    ):
        by_unit.setdefault((unit_id, role), []).append(pk)
    return {"by_unit": by_unit, "created": len(missing), "total": len(wanted)}


def _sla_tables(now: datetime) -> tuple[list[tuple], list[tuple]]:
    """Working days per (category, priority) and stage, and the start slots of open tasks:
    for each number of working days, windows of start times in the past whose deadline
    (close of business, working days later) and 75 % point both lie in the future."""
    from casework.models import Category
    from workflows import sla
    from workflows.models import SlaStage

    sla.invalidate()
    stages = (
        SlaStage.TRIAGE,
        SlaStage.OPD_ACCEPTANCE,
        SlaStage.OPD_RESPONSE,
        SlaStage.CONFIRMATION,
        SlaStage.END_TO_END,
    )
    days_rows = []
    needed: set[int] = set()
    for category in Category.objects.filter(active=True).order_by("pk"):
        for priority in PRIORITIES:
            days = [
                sla.working_days_for(
                    stage,
                    category_id=category.pk,
                    sla_class=category.sla_class,
                    priority=priority,
                )
                for stage in stages
            ]
            days_rows.append((category.pk, priority, *days))
            needed.update(days[:3])
    slots = []
    latest = now - timedelta(minutes=5)
    today = now.astimezone(sla.WIB).date()
    for days in sorted(needed):
        k = 0
        for back in range(45, -1, -1):
            day = today - timedelta(days=back)
            opening = datetime.combine(day, datetime.min.time(), tzinfo=sla.WIB)
            due = sla.add_working_days(opening, days)
            # start s must satisfy s + 0.75 (due - s) > now + margin, i.e. s > 4 (now+m) - 3 due
            bound = due - 4 * (due - (now + REMIND_MARGIN))
            lo = max(opening + timedelta(hours=6), bound)
            hi = min(opening + timedelta(hours=22), latest)
            if lo < hi:
                slots.append((days, k, lo, hi, due))
                k += 1
        if k == 0:
            raise RuntimeError(f"no start time in the last 45 days fits a {days}-day stage")
    return days_rows, slots


# ----------------------------------------------------------------------------- the load


def _lookups(cursor: Any, now: datetime, officers: dict[str, Any]) -> dict[str, int]:
    """Temporary tables the chunk statements join: villages, categories, weights, slots,
    the task and event templates."""
    from casework import refdata
    from casework.models import Case, Category, Region, RegionLevel, RoutingRule, Unit, UnitKind

    by_unit = officers["by_unit"]
    forums = {u.code: u.pk for u in Unit.objects.filter(kind=UnitKind.FORUM)}
    villages = list(
        Region.objects.filter(level__in=[RegionLevel.DESA, RegionLevel.KELURAHAN])
        .order_by("code")
        .values_list("code", "name", "parent_id")
    )
    villages = [v for v in villages if v[2] in forums]
    if not villages:
        raise RuntimeError("no villages with a kecamatan forum: load the regions first")
    opds = list(Unit.objects.filter(kind=UnitKind.OPD, active=True).order_by("code"))
    routing = {
        rule.category_id: rule.opd_id
        for rule in RoutingRule.objects.filter(kecamatan__isnull=True, opd__active=True)
    }
    categories = list(Category.objects.filter(active=True).order_by("pk"))
    if not categories or not opds:
        raise RuntimeError("no categories or OPD: load the reference data first")
    opd_code = {u.pk: u.code for u in opds}
    refdata.invalidate()

    for table in TEMP_TABLES:
        _execute(cursor, f"DROP TABLE IF EXISTS {table}")
    _execute(
        cursor,
        "CREATE TEMP TABLE gen_desa (i int PRIMARY KEY, code text, name text, kecamatan text,"
        " forum_id bigint, owners bigint[])",
    )
    cursor.executemany(
        "INSERT INTO gen_desa VALUES (%s, %s, %s, %s, %s, %s)",
        [
            (
                i,
                code,
                name,
                parent,
                forums[parent],
                by_unit.get((forums[parent], "forum_officer"), []),
            )
            for i, (code, name, parent) in enumerate(villages)
        ],
    )
    _execute(
        cursor,
        "CREATE TEMP TABLE gen_cat (i int PRIMARY KEY, id bigint, code text, name text,"
        " opd_id bigint, opd_code text, owners bigint[], titles text[])",
    )
    cat_rows = []
    for i, category in enumerate(categories):
        opd_id = routing.get(category.pk) or opds[i % len(opds)].pk
        if opd_id not in opd_code:
            opd_id = opds[i % len(opds)].pk
        cat_rows.append(
            (
                i,
                category.pk,
                category.code,
                category.name,
                opd_id,
                opd_code[opd_id],
                by_unit.get((opd_id, "opd_officer"), []),
                TITLES.get(category.code, [f"{category.name}: {t}" for t in GENERIC_TITLES]),
            )
        )
    cursor.executemany("INSERT INTO gen_cat VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", cat_rows)
    missing_owners = [r[3] for r in cat_rows if not r[6]]
    if missing_owners or not all(by_unit.get((forums[v[2]], "forum_officer")) for v in villages):
        raise RuntimeError("every forum and OPD needs officers: ensure_officers() first")

    picks = []
    for i, category in enumerate(categories):
        picks.extend([i] * CATEGORY_WEIGHT.get(category.code, 3))
    _execute(cursor, "CREATE TEMP TABLE gen_pick (j int PRIMARY KEY, cat_i int)")
    cursor.executemany("INSERT INTO gen_pick VALUES (%s, %s)", list(enumerate(picks)))

    days_rows, slots = _sla_tables(now)
    _execute(
        cursor,
        "CREATE TEMP TABLE gen_days (category_id bigint, priority text, tr int, acc int,"
        " resp int, conf int, e2e int, PRIMARY KEY (category_id, priority))",
    )
    cursor.executemany("INSERT INTO gen_days VALUES (%s, %s, %s, %s, %s, %s, %s)", days_rows)
    _execute(
        cursor,
        "CREATE TEMP TABLE gen_slot (days int, k int, lo timestamptz, hi timestamptz,"
        " due timestamptz, PRIMARY KEY (days, k))",
    )
    cursor.executemany("INSERT INTO gen_slot VALUES (%s, %s, %s, %s, %s)", slots)
    _execute(
        cursor,
        "CREATE TEMP TABLE gen_slotn AS"
        " SELECT days, count(*)::int AS n FROM gen_slot GROUP BY days",
    )

    strings = flow_strings()
    _execute(
        cursor,
        "CREATE TEMP TABLE gen_tpl (path text, ord int, node text, fref text, ftype text,"
        " status text, stage text, PRIMARY KEY (path, ord))",
    )
    cursor.executemany(
        "INSERT INTO gen_tpl VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [
            (path, ord_, node, *strings[node], status, stage)
            for path, tasks in PATH_TASKS.items()
            for ord_, (node, status, stage) in enumerate(tasks)
        ],
    )
    _execute(
        cursor,
        "CREATE TEMP TABLE gen_evt (path text, ord int, kind text, action text,"
        " from_status text, to_status text, PRIMARY KEY (path, ord))",
    )
    cursor.executemany(
        "INSERT INTO gen_evt VALUES (%s, %s, %s, %s, %s, %s)",
        [
            (path, ord_, *event)
            for path, events in PATH_EVENTS.items()
            for ord_, event in enumerate(events)
        ],
    )
    # reporter phone and NIK as the model stores them (encrypted at rest): a pool of values
    # made by the fields themselves, drawn by the cases
    rng = random.Random(SECRET_POOL)
    phone_field = Case._meta.get_field("reporter_phone")
    nik_field = Case._meta.get_field("reporter_nik")
    secrets = []
    for i in range(SECRET_POOL):
        phone = "08" + "".join(rng.choice("0123456789") for _d in range(10))
        nik = "3508" + "".join(rng.choice("0123456789") for _d in range(12))
        secrets.append(("phone", i, phone_field.get_db_prep_save(phone, cursor.db)))
        secrets.append(("nik", i, nik_field.get_db_prep_save(nik, cursor.db)))
    _execute(
        cursor, "CREATE TEMP TABLE gen_secret (kind text, i int, value text, PRIMARY KEY (kind, i))"
    )
    cursor.executemany("INSERT INTO gen_secret VALUES (%s, %s, %s)", secrets)
    for table in (
        "gen_desa",
        "gen_cat",
        "gen_pick",
        "gen_days",
        "gen_slot",
        "gen_slotn",
        "gen_secret",
    ):
        _execute(cursor, f"ANALYZE {table}")
    return {
        "villages": len(villages),
        "categories": len(categories),
        "picks": len(picks),
        "slots": len(slots),
    }


def _stage_chunk(
    cursor: Any,
    *,
    g0: int,
    g1: int,
    seed: int,
    open_fraction: float,
    now: datetime,
    counts: dict[str, int],
    prefix: str,
) -> None:
    """The staging table ``gen_c``: one row per case of the chunk with everything the inserts
    need (choices, instants, ids offsets)."""
    r = [_r(k).format(seed=seed) for k in range(24)]
    open_path = _pick(r[1], OPEN_MIX)
    closed_path = _pick(r[1], CLOSED_MIX)
    prio = _pick(r[3], tuple(zip(PRIORITIES, PRIORITY_MIX, strict=True)))
    channel = _pick(r[5], (("web", 45), ("whatsapp", 25), ("api", 15), ("sms", 10), ("open311", 5)))
    conf = _pick(r[6], (("biasa", 85), ("anonim", 12), ("rahasia", 3)))
    ntasks = " ".join(f"WHEN '{p}' THEN {len(t)}" for p, t in PATH_TASKS.items())
    nevents = " ".join(f"WHEN '{p}' THEN {len(e)}" for p, e in PATH_EVENTS.items())
    key = (seed * 0x9E3779B97F4A7C15) & ((1 << 60) - 1)
    tracking = _tracking_sql().format(key=key)
    names = "(ARRAY[" + ", ".join(f"'{n}'" for n in NAMES) + "])"
    details = "(ARRAY[" + ", ".join(f"'{d}'" for d in DETAILS) + "])"
    _execute(cursor, "DROP TABLE IF EXISTS gen_c")
    sql = f"""
    CREATE TEMP TABLE gen_c AS
    WITH b AS (
        SELECT g, g - {g0} AS idx,
            CASE WHEN {r[0]} < {open_fraction!r} THEN {open_path} ELSE {closed_path} END AS path,
            floor({r[2]} * {counts["picks"]})::int AS pick_j,
            {prio} AS priority,
            floor({r[4]} * {counts["villages"]})::int AS desa_i,
            {channel} AS channel,
            {conf} AS confidentiality,
            {r[7]} AS r_slot, {r[8]} AS r_start, {r[9]} AS r_gap, {r[10]} AS r_claim,
            {r[11]} AS r_t1, {r[12]} AS r_owner, {r[13]} AS r_age, {r[14]} AS r_title,
            {r[15]} AS r_detail, {r[16]} AS r_name, {r[17]} AS r_contact, {r[18]} AS r_geo,
            {r[19]} AS r_lat, {r[20]} AS r_lon, {r[21]} AS r_rating, {r[22]} AS r_span,
            floor({r[23]} * {SECRET_POOL})::int AS secret_i,
            ({tracking}) AS tracking_code
        FROM generate_series({g0}::bigint, {g1 - 1}::bigint) AS g
    ), j AS (
        SELECT b.*, d.code AS desa, d.name AS desa_name, d.kecamatan, d.forum_id,
            d.owners[1 + floor(b.r_owner * cardinality(d.owners))::int] AS forum_owner,
            c.id AS category_id, c.code AS category_code, c.opd_id, c.opd_code,
            c.owners[1 + floor(b.r_owner * cardinality(c.owners))::int] AS opd_owner,
            c.titles[1 + floor(b.r_title * cardinality(c.titles))::int] AS title,
            y.tr, y.acc, y.resp, y.conf, y.e2e,
            CASE b.path WHEN 'F' THEN y.tr WHEN 'T' THEN y.tr WHEN 'D' THEN y.acc
                WHEN 'P' THEN y.resp END AS open_days
        FROM b
        JOIN gen_pick p ON p.j = b.pick_j
        JOIN gen_cat c ON c.i = p.cat_i
        JOIN gen_desa d ON d.i = b.desa_i
        JOIN gen_days y ON y.category_id = c.id AND y.priority = b.priority
    ), s AS (
        SELECT j.*, sl.lo + (sl.hi - sl.lo) * j.r_start AS s_at, sl.due
        FROM j
        LEFT JOIN gen_slotn n ON n.days = j.open_days
        LEFT JOIN gen_slot sl ON sl.days = j.open_days
            AND sl.k = floor(j.r_slot * n.n)::int
    ), t0 AS (
        -- the moments of each history: c_at (submitted, straight to the kecamatan forum),
        -- t1 (dispatched or rejected), t2 (accepted), t3 (answered), t4 (confirmed)
        SELECT s.*,
            CASE path
                WHEN 'P' THEN s_at - interval '10 minutes' - interval '2 days' * r_t1
                WHEN 'D' THEN s_at
            END AS p_t1,
            %(now)s::timestamptz - interval '90 days' * r_age AS old_at
        FROM s
    ), t AS (
        SELECT t0.*,
            CASE path
                WHEN 'F' THEN s_at WHEN 'T' THEN s_at
                WHEN 'D' THEN p_t1 - (interval '1 hour' + greatest(p_t1 - %(now)s::timestamptz
                    + interval '90 days' - interval '1 hour', interval '0') * r_gap * r_gap)
                WHEN 'P' THEN p_t1 - (interval '1 hour' + greatest(p_t1 - %(now)s::timestamptz
                    + interval '90 days' - interval '1 hour', interval '0') * r_gap * r_gap)
                ELSE old_at
            END AS c_at
        FROM t0
    ), u AS (
        SELECT t.*,
            CASE path
                WHEN 'D' THEN p_t1 WHEN 'P' THEN p_t1
                WHEN 'C' THEN c_at + (%(now)s::timestamptz - c_at) * (0.10 + 0.05 * r_span)
                WHEN 'R' THEN c_at + (%(now)s::timestamptz - c_at) * (0.02 + 0.2 * r_span)
            END AS t1,
            CASE path
                WHEN 'P' THEN s_at
                WHEN 'C' THEN c_at + (%(now)s::timestamptz - c_at) * (0.20 + 0.10 * r_span)
            END AS t2,
            CASE WHEN path = 'C'
                THEN c_at + (%(now)s::timestamptz - c_at) * (0.40 + 0.20 * r_span) END AS t3,
            CASE WHEN path = 'C'
                THEN c_at + (%(now)s::timestamptz - c_at) * (0.70 + 0.25 * r_span) END AS t4
        FROM t
    ), v AS (
        SELECT u.*,
            CASE path
                WHEN 'F' THEN NULL
                WHEN 'T' THEN c_at + (%(now)s::timestamptz - c_at) * (0.05 + 0.9 * r_claim)
                ELSE c_at + (t1 - c_at) * (0.05 + 0.5 * r_claim)
            END AS tr_claim,
            s_at + (due - s_at) * 0.75 AS nxt,
            CASE path {ntasks} END AS ntasks, CASE path {nevents} END AS nevents,
            CASE WHEN path IN ('D', 'P', 'C') THEN 1 ELSE 0 END AS nasg
        FROM u
    )
    SELECT v.*,
        (sum(ntasks) OVER w - ntasks)::bigint AS task_off,
        (sum(nevents) OVER w - nevents)::bigint AS evt_off,
        (sum(nasg) OVER w - nasg)::bigint AS asg_off,
        '{prefix}-' || to_char(c_at AT TIME ZONE 'Asia/Jakarta', 'YYMM') || '-'
            || lpad((g + 1)::text, greatest(7, length((g + 1)::text)), '0') AS number,
        {names}[1 + floor(r_name * {len(NAMES)})::int] AS reporter_name,
        {details}[1 + floor(r_detail * {len(DETAILS)})::int] AS detail
    FROM v
    WINDOW w AS (ORDER BY g ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    """
    _execute(cursor, sql, {"now": now})
    _execute(cursor, "ANALYZE gen_c")


def _case_fields() -> list[Any]:
    from casework.models import Case

    return list(Case._meta.concrete_fields)


def _reserve(cursor: Any, table: str, count: int) -> int:
    """Take ``count`` ids of the table's identity sequence; returns the first."""
    if count <= 0:
        return 0
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (seq,) = cursor.fetchone()
    cursor.execute("SELECT setval(%s::regclass, nextval(%s::regclass) + %s - 1)", [seq, seq, count])
    (last,) = cursor.fetchone()
    return last - count + 1


def _insert_chunk(cursor: Any, strings: dict[str, tuple[str, str]]) -> dict[str, int]:
    cursor.execute(
        "SELECT count(*), coalesce(sum(ntasks), 0), coalesce(sum(ntasks - 1), 0),"
        " coalesce(sum(nasg), 0), coalesce(sum(nevents), 0) FROM gen_c"
    )
    n, ntasks, nlinks, nasg, nevents = (int(x) for x in cursor.fetchone())
    cb = _reserve(cursor, "casework_case", n)
    pb = _reserve(cursor, "casework_caseprocess", n)
    tb = _reserve(cursor, "casework_casetask", ntasks)
    lb = _reserve(cursor, "casework_casetask_previous", nlinks)
    ab = _reserve(cursor, "casework_assignment", nasg)
    eb = _reserve(cursor, "casework_caseevent", nevents)
    ids = {"cb": cb, "pb": pb, "tb": tb, "lb": lb, "ab": ab, "eb": eb}
    flow_class = strings[""][0]
    fields = {f.name: f for f in _case_fields()}
    empty = {
        "phone": fields["reporter_phone"].get_db_prep_save("", cursor.db),
        "nik": fields["reporter_nik"].get_db_prep_save("", cursor.db),
    }
    open_sql = "path IN ('F', 'T', 'D', 'P')"

    _execute(
        cursor,
        f"""
        INSERT INTO casework_case (id, number, tracking_code, title, description, priority,
            address, latitude, longitude, channel, reporter_name, reporter_phone,
            reporter_email, reporter_nik, confidentiality, supporters, status,
            info_return_status, info_question, response, rejection_reason, rating,
            rating_comment, created_at, updated_at, closed_at, target_at, paused_at,
            created_by_id, merged_into_id, category_id, desa_id, kecamatan_id)
        SELECT %(cb)s + idx, number, tracking_code, title || ' di ' || desa_name,
            title || ' di ' || desa_name || '. ' || detail, priority,
            CASE WHEN r_geo < 0.6 THEN 'RT ' || lpad((1 + floor(r_lat * 12))::text, 2, '0')
                || ' RW ' || lpad((1 + floor(r_lon * 6))::text, 2, '0') ELSE '' END,
            CASE WHEN r_geo < 0.5 THEN round((-8.35 + 0.35 * r_lat)::numeric, 6) END,
            CASE WHEN r_geo < 0.5 THEN round((112.95 + 0.45 * r_lon)::numeric, 6) END,
            channel, reporter_name,
            CASE WHEN r_contact < 0.9 THEN ph.value ELSE %(no_phone)s END,
            CASE WHEN r_contact < 0.25
                THEN lower(replace(reporter_name, ' ', '.')) || '.' || (g + 1) || '@example.org'
                ELSE '' END,
            CASE WHEN r_contact > 0.6 THEN nik.value ELSE %(no_nik)s END,
            confidentiality, 1,
            CASE path {" ".join(f"WHEN '{p}' THEN '{s}'" for p, s in PATH_STATUS.items())} END,
            '', '', '',
            CASE WHEN path = 'R' THEN '{REJECTION}' ELSE '' END,
            CASE WHEN path = 'C' THEN 3 + floor(r_rating * 3)::int END,
            '', c_at,
            CASE path WHEN 'F' THEN c_at WHEN 'T' THEN tr_claim WHEN 'D' THEN t1
                WHEN 'P' THEN t2 WHEN 'C' THEN t4 ELSE t1 END,
            CASE path WHEN 'C' THEN t4 WHEN 'R' THEN t1 END,
            c_at + interval '1 day' * e2e, NULL, NULL, NULL, category_id, desa, kecamatan
        FROM gen_c
        JOIN gen_secret ph ON ph.kind = 'phone' AND ph.i = secret_i
        JOIN gen_secret nik ON nik.kind = 'nik' AND nik.i = secret_i
        """,
        {**ids, "no_phone": empty["phone"], "no_nik": empty["nik"]},
    )
    _execute(
        cursor,
        """
        INSERT INTO casework_caseprocess (id, flow_class, status, created, finished, case_id)
        SELECT %(pb)s + idx, %(flow)s, CASE WHEN path IN ('C', 'R') THEN 'DONE' ELSE 'NEW' END,
            c_at, CASE path WHEN 'C' THEN t4 WHEN 'R' THEN t1 END, %(cb)s + idx
        FROM gen_c
        """,
        {**ids, "flow": flow_class},
    )
    _execute(
        cursor,
        """
        INSERT INTO casework_casetask (id, flow_task, flow_task_type, status, created, assigned,
            started, finished, scheduled, token, external_task_id, owner_permission,
            owner_permission_obj_pk, stage, data, due_at, sla_step, sla_next_at, sla_cycle,
            case_id, owner_id, owner_permission_content_type_id, process_id, unit_id)
        WITH x AS (
            SELECT c.*, t.ord, t.node, t.fref, t.ftype, t.status AS tstatus, t.stage,
                t.status IN ('NEW', 'ASSIGNED') AS is_open,
                %(tb)s + c.task_off AS t0,
                %(ab)s + c.asg_off AS assignment_id,
                CASE t.node
                    WHEN 'start' THEN c.c_at
                    WHEN 'triage' THEN c.c_at + interval '2 milliseconds'
                    WHEN 'dispatch' THEN c.t1
                    WHEN 'opd_accept' THEN c.t1 + interval '2 milliseconds'
                    WHEN 'opd_respond' THEN c.t2 + interval '2 milliseconds'
                    WHEN 'join' THEN c.t3 + interval '2 milliseconds'
                    WHEN 'confirm' THEN c.t3 + interval '4 milliseconds'
                    WHEN 'end_closed' THEN c.t4 + interval '2 milliseconds'
                    WHEN 'end_rejected' THEN c.t1 + interval '2 milliseconds'
                END AS created,
                CASE t.node
                    WHEN 'start' THEN c.c_at WHEN 'triage' THEN c.t1
                    WHEN 'dispatch' THEN c.t1 WHEN 'opd_accept' THEN c.t2
                    WHEN 'opd_respond' THEN c.t3 WHEN 'join' THEN c.t3
                    WHEN 'confirm' THEN c.t4 WHEN 'end_closed' THEN c.t4
                    WHEN 'end_rejected' THEN c.t1
                END AS done_at,
                CASE t.node
                    WHEN 'triage' THEN c.tr
                    WHEN 'opd_accept' THEN c.acc
                    WHEN 'opd_respond' THEN c.resp
                    WHEN 'confirm' THEN c.conf
                END AS stage_days
            FROM gen_c c JOIN gen_tpl t ON t.path = c.path
        ), y AS (
            SELECT x.*,
                CASE WHEN is_open THEN due
                    WHEN stage_days IS NOT NULL
                    THEN created + interval '1 day' * (stage_days * 1.4) END AS due_at
            FROM x
        )
        SELECT t0 + ord, fref, ftype, tstatus, created,
            CASE
                WHEN node = 'triage' AND path <> 'F' THEN tr_claim
                WHEN node = 'opd_accept' AND tstatus = 'DONE' THEN t2
                WHEN node = 'opd_respond' THEN t2 + interval '2 milliseconds'
            END,
            CASE WHEN tstatus = 'DONE' AND node <> 'dispatch' THEN done_at END,
            CASE WHEN tstatus = 'DONE' THEN done_at + interval '1 millisecond' END,
            NULL,
            CASE WHEN node IN ('opd_accept', 'opd_respond') THEN 'start/' || (t0 + 2) || '_1'
                ELSE 'start' END,
            NULL, NULL, NULL, stage,
            CASE node
                WHEN 'triage' THEN CASE WHEN tstatus = 'DONE' THEN jsonb_build_object(
                    'outcome', CASE path WHEN 'R' THEN 'rejected' ELSE 'dispatched' END)
                    ELSE '{}'::jsonb END
                WHEN 'opd_accept' THEN jsonb_build_object('opd', opd_id,
                    'assignment', assignment_id) || CASE WHEN tstatus = 'DONE'
                    THEN '{"outcome": "accepted"}'::jsonb ELSE '{}'::jsonb END
                WHEN 'opd_respond' THEN jsonb_build_object('opd', opd_id, 'owner', opd_owner,
                    'assignment', assignment_id) || CASE WHEN tstatus = 'DONE'
                    THEN '{"outcome": "responded"}'::jsonb ELSE '{}'::jsonb END
                WHEN 'confirm' THEN '{"outcome": "confirmed"}'::jsonb
                ELSE '{}'::jsonb
            END,
            due_at,
            CASE WHEN node = 'confirm' THEN 4 ELSE 0 END,
            CASE WHEN is_open THEN nxt
                WHEN node = 'confirm' THEN due_at
                WHEN due_at IS NOT NULL THEN created + (due_at - created) * 0.75 END,
            0, %(cb)s + idx,
            CASE node
                WHEN 'triage' THEN CASE WHEN path <> 'F' THEN forum_owner END
                WHEN 'opd_accept' THEN CASE WHEN tstatus = 'DONE' THEN opd_owner END
                WHEN 'opd_respond' THEN opd_owner
            END,
            NULL, %(pb)s + idx,
            CASE node WHEN 'triage' THEN forum_id WHEN 'opd_accept' THEN opd_id
                WHEN 'opd_respond' THEN opd_id END
        FROM y
        """,
        ids,
    )
    _execute(
        cursor,
        """
        INSERT INTO casework_casetask_previous (id, from_casetask_id, to_casetask_id)
        SELECT %(lb)s + c.task_off - c.idx + t.ord - 1, %(tb)s + c.task_off + t.ord,
            %(tb)s + c.task_off + t.ord - 1
        FROM gen_c c JOIN gen_tpl t ON t.path = c.path AND t.ord >= 1
        """,
        ids,
    )
    _execute(
        cursor,
        f"""
        INSERT INTO casework_assignment (id, status, note, response, decline_reason,
            dispatched_at, accepted_at, responded_at, declined_at, case_id, opd_id,
            suggested_opd_id)
        SELECT %(ab)s + asg_off,
            CASE path WHEN 'D' THEN 'pending' WHEN 'P' THEN 'accepted' ELSE 'responded' END,
            '', CASE WHEN path = 'C' THEN '{RESPONSE}' ELSE '' END, '',
            t1, CASE WHEN path IN ('P', 'C') THEN t2 END, CASE WHEN path = 'C' THEN t3 END,
            NULL, %(cb)s + idx, opd_id, NULL
        FROM gen_c WHERE nasg = 1
        """,
        ids,
    )
    _execute(
        cursor,
        f"""
        INSERT INTO casework_caseevent (id, action, from_status, to_status, created_at,
            payload, actor_id, case_id)
        SELECT %(eb)s + c.evt_off + e.ord, e.action, e.from_status, e.to_status,
            CASE e.kind
                WHEN 'submit' THEN c.c_at WHEN 'claim_triage' THEN c.tr_claim
                WHEN 'dispatch' THEN c.t1 WHEN 'reject' THEN c.t1
                WHEN 'claim_opd' THEN c.t2 WHEN 'accept' THEN c.t2
                WHEN 'respond' THEN c.t3 WHEN 'confirm' THEN c.t4
            END,
            CASE e.kind
                WHEN 'submit' THEN jsonb_build_object('channel', c.channel,
                    'verification_skipped', true)
                WHEN 'claim_triage' THEN jsonb_build_object('task', %(tb)s + c.task_off + 1,
                    'stage', 'triage')
                WHEN 'dispatch' THEN jsonb_build_object('note', '', 'opds',
                    jsonb_build_array(c.opd_code), 'category', c.category_code,
                    'priority', c.priority)
                WHEN 'claim_opd' THEN jsonb_build_object('task', %(tb)s + c.task_off + 3,
                    'stage', 'opd_acceptance')
                WHEN 'accept' THEN jsonb_build_object('opd', c.opd_code)
                WHEN 'respond' THEN jsonb_build_object('opd', c.opd_code,
                    'response', '{RESPONSE}')
                WHEN 'confirm' THEN jsonb_build_object('rating', 3 + floor(c.r_rating * 3)::int,
                    'comment', '')
                WHEN 'reject' THEN jsonb_build_object('reason', '{REJECTION}')
            END,
            CASE
                WHEN e.kind IN ('claim_triage', 'dispatch', 'reject') THEN c.forum_owner
                WHEN e.kind IN ('claim_opd', 'accept', 'respond') THEN c.opd_owner
            END,
            %(cb)s + c.idx
        FROM gen_c c JOIN gen_evt e ON e.path = c.path
        """,
        ids,
    )
    cursor.execute(f"SELECT count(*) FROM gen_c WHERE {open_sql}")
    (open_cases,) = cursor.fetchone()
    return {
        "casework_case": n,
        "casework_caseprocess": n,
        "casework_casetask": ntasks,
        "casework_casetask_previous": nlinks,
        "casework_assignment": nasg,
        "casework_caseevent": nevents,
        "open": int(open_cases),
    }


def _secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the bulk tables' indexes that back no constraint."""
    cursor.execute(
        """
        SELECT ic.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class tc ON tc.oid = i.indrelid
        WHERE tc.relname = ANY(%s) AND tc.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        ORDER BY tc.relname, ic.relname
        """,
        [list(BULK_TABLES)],
    )
    return list(cursor.fetchall())


def _first_index(cursor: Any) -> int:
    """Generated numbers end in a 7+ digit index: go on after the largest one."""
    cursor.execute(
        "SELECT coalesce(max(substring(number from '-([0-9]{7,})$')::bigint), 0) FROM casework_case"
    )
    return int(cursor.fetchone()[0])


def generate(
    connection: Any,
    *,
    cases: int,
    seed: int = 1,
    open_fraction: float = 1.0,
    chunk: int = 250_000,
    fast: bool | None = None,
    now: datetime | None = None,
    log: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Add ``cases`` cases to the database behind the Django ``connection``.

    ``fast`` (default: at least 50,000 cases, outside a transaction) drops the secondary
    indexes of the bulk tables, turns foreign-key triggers off for the load and rebuilds
    the indexes, all in one transaction."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise RuntimeError("the generator writes PostgreSQL SQL")
    if not 0.0 <= open_fraction <= 1.0:
        raise ValueError("open_fraction is between 0 and 1")
    say = log or (lambda _msg: None)
    now = now or timezone.now()
    result = GenerateResult()
    started = time.perf_counter()

    def phase(name: str, since: float) -> float:
        moment = time.perf_counter()
        result.phases[name] = result.phases.get(name, 0.0) + moment - since
        return moment

    mark = time.perf_counter()
    strings = flow_strings()
    probe = probe_engine(strings)
    say(f"engine strings checked against a real case: {probe}")
    officers = ensure_officers()
    say(f"officers: {officers['total']} ({officers['created']} new)")
    mark = phase("set-up", mark)
    if fast is None:
        fast = cases >= FAST_THRESHOLD and not connection.in_atomic_block
    result.fast = fast
    with transaction.atomic(), connection.cursor() as cursor:
        first = _first_index(cursor)
        if first + cases > MAX_CASES:
            raise ValueError(f"at most {MAX_CASES:,} generated cases in one database")
        result.first_index = first
        counts = _lookups(cursor, now, officers)
        dropped: list[tuple[str, str]] = []
        if fast:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                _execute(cursor, "SET LOCAL session_replication_role = replica")
            _execute(cursor, "SET LOCAL maintenance_work_mem = '512MB'")
            dropped = _secondary_indexes(cursor)
            for name, _definition in dropped:
                _execute(cursor, f'DROP INDEX "{name}"')
            say(f"dropped {len(dropped)} secondary indexes for the load")
        mark = phase("set-up", mark)
        totals: dict[str, int] = {}
        for g0 in range(first, first + cases, chunk):
            g1 = min(g0 + chunk, first + cases)
            _stage_chunk(
                cursor,
                g0=g0,
                g1=g1,
                seed=seed,
                open_fraction=open_fraction,
                now=now,
                counts=counts,
                prefix=settings.ASPIRASI_CASE_PREFIX,
            )
            mark = phase("staging", mark)
            rows = _insert_chunk(cursor, strings)
            for table, n in rows.items():
                totals[table] = totals.get(table, 0) + n
            mark = phase("insert", mark)
            say(f"  cases {g1 - first:>10,} of {cases:,}  ({time.perf_counter() - started:.1f} s)")
        if dropped:
            for _name, definition in dropped:
                _execute(cursor, definition)
            mark = phase("indexes", mark)
            say(f"rebuilt {len(dropped)} indexes")
        for table in TEMP_TABLES:
            _execute(cursor, f"DROP TABLE IF EXISTS {table}")
    mark = phase("commit", mark)
    result.cases = cases
    result.rows = totals
    result.seconds = time.perf_counter() - started
    return result


def reset(connection: Any) -> None:
    """Remove every case and everything hanging off it (events, tasks, processes,
    assignments, escalations, notifications)."""
    with connection.cursor() as cursor:
        _execute(cursor, "TRUNCATE casework_case CASCADE")


def vacuum_analyze(connection: Any) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (*BULK_TABLES, "casework_escalation", "casework_notification"):
            _execute(cursor, f"VACUUM ANALYZE {table}")
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- command line


def ensure_database(url: str) -> bool:
    """Create the database the URL names when it is missing; True when created."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def truncate_cases(url: str) -> bool:
    """TRUNCATE the case data (cases and everything hanging off them) when the schema exists."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('casework_case')").fetchone()[0] is None:
            return False
        conn.execute("TRUNCATE casework_case CASCADE")
        return True


def manage(*args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    print("  $", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=os.environ.copy(), check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open-fraction", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=250_000, help="cases per staging step")
    parser.add_argument("--reset", action="store_true", help="truncate the case data first")
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="load with every index and trigger in place (slower)",
    )
    parser.add_argument("--no-vacuum", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("the generator needs PostgreSQL: set DATABASE_URL")
    total = time.perf_counter()
    created = ensure_database(url)
    print(f"database {url}{' (created)' if created else ''}", flush=True)
    if args.reset:
        # before migrating: data migrations then have no generated rows to go through
        start = time.perf_counter()
        truncated = truncate_cases(url)
        print(f"case data truncated: {truncated} ({time.perf_counter() - start:.1f} s)", flush=True)
    manage("migrate", "--no-input")
    manage("load_regions")
    manage("load_reference")

    from bench._setup import django_setup

    django_setup()
    from django.db import connection

    result = generate(
        connection,
        cases=args.cases,
        seed=args.seed,
        open_fraction=args.open_fraction,
        chunk=args.chunk,
        fast=False if args.keep_indexes else None,
        log=lambda msg: print(msg, flush=True),
    )
    print(f"generated {result.summary()}", flush=True)
    if not args.no_vacuum:
        print(f"VACUUM ANALYZE: {vacuum_analyze(connection):.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM casework_case GROUP BY status ORDER BY status")
        print("cases by status:", dict(cursor.fetchall()))
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print("database size:", cursor.fetchone()[0])
    print(f"total {time.perf_counter() - total:.1f} s (database, migrate, reference, load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
