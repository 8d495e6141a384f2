"""Demo data for local use: Lumajang's reference data, officers of every role, and about 200
cases spread over every state, some of them overdue. Cases are driven through the real
services; afterwards each case's timestamps are moved back by its age, so that the queues
show realistic ages and missed deadlines."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import timedelta

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F

from . import refdata, services
from .models import Assignment, Case, CaseEvent, CaseTask, Region, Unit, UnitKind, User
from .people import provision_officer
from .reference import load_reference, load_regions
from .scenarios import Cast, Route, drive

DEMO_PASSWORD = "aspirasi-demo"  # noqa: S105  (local demo only, printed in the README)
KECAMATAN = {"35.08.01": "tempursari", "35.08.10": "lumajang", "35.08.05": "tempeh"}
ACTIVE_KIM = ["35.08.01.2001", "35.08.01.2002", "35.08.10.1003", "35.08.10.2001"]
OPDS = ["dputr", "dinkes", "dinsos", "dispendik", "dlh"]

# (username, role, unit code)
OFFICERS = [
    ("pengawas", "supervisor", "35.08"),
    ("kim.tegalrejo", "kim_operator", "35.08.01.2001"),
    ("kim.bulurejo", "kim_operator", "35.08.01.2002"),
    ("kim.citrodiwangsan", "kim_operator", "35.08.10.1003"),
    ("kim.banjarwaru", "kim_operator", "35.08.10.2001"),
    *[(f"forum.{name}", "forum_officer", code) for code, name in KECAMATAN.items()],
    *[(f"ketua.{name}", "forum_coordinator", code) for code, name in KECAMATAN.items()],
    *[(f"{opd}.petugas", "opd_officer", opd) for opd in OPDS],
    *[(f"{opd}.kepala", "opd_head", opd) for opd in OPDS],
]

TARGETS = [
    "received",
    "forwarded",
    "in_triage",
    "needs_info",
    "dispatched",
    "in_progress",
    "responded",
    "closed",
    "rejected",
    "merged",
]
SUBJECTS = {
    "infrastruktur": ["Jalan desa berlubang", "Jembatan bambu rapuh", "Saluran irigasi jebol"],
    "kesehatan": ["Posyandu kekurangan vaksin", "Puskesmas pembantu tutup"],
    "pendidikan": ["Atap ruang kelas SD bocor", "Guru honorer belum dibayar"],
    "bantuan-sosial": ["Warga lansia belum terima BLT", "Data PKH tidak sesuai"],
    "lingkungan": ["Sampah menumpuk di sungai", "Limbah tambang pasir"],
    "permintaan-informasi": ["Jadwal pelayanan KTP keliling", "Syarat pengajuan bedah rumah"],
    "adminduk": ["KTP elektronik belum jadi"],
    "kebencanaan": ["Tanggul sungai retak"],
}


@dataclass
class DemoResult:
    officers: list[tuple[str, str, str]]
    cases: int


def _officer(username: str) -> User:
    return User.objects.select_related("unit").get(username=username)


def _drive(case: Case, target: str, rng: random.Random, people: dict, kec_name: str) -> Case:
    """Move a new case along the lifecycle until it reaches ``target``, by a history chosen
    at random (:mod:`casework.scenarios`)."""
    kim = next(
        (
            p
            for p in people.values()
            if p.role == "kim_operator" and p.unit.region_id == case.desa_id
        ),
        None,
    )
    cast = Cast(
        forum=people[f"forum.{kec_name}"],
        kim=kim,
        opds={code: people[f"{code}.petugas"] for code in OPDS},
    )
    at_village = kim is not None and case.status == "received"
    opds = rng.sample(OPDS, k=2 if rng.random() < 0.25 else 1)
    suggested = refdata.suggested_opd_id(case.category_id, case.kecamatan_id)
    unit = refdata.unit_by_id(suggested) if suggested else None
    if unit is not None and unit.code in OPDS and unit.code not in opds:
        opds[0] = unit.code
    into = None
    if target == "merged":
        into = (
            Case.objects.filter(
                kecamatan_id=case.kecamatan_id, status__in=["forwarded", "in_triage", "dispatched"]
            )
            .exclude(pk=case.pk)
            .order_by("?")
            .first()
        )
        if into is None:
            target = "in_triage"
    route = Route(
        opds=opds,
        reject="village" if at_village and rng.random() < 0.3 else "forum",
        ask="village" if at_village and rng.random() < 0.5 else "forum",
        answer="forum" if case.category.code == "permintaan-informasi" else "opd",
        close="confirm" if rng.random() < 0.7 else "timeout",
        rating=rng.randint(3, 5),
        into=into,
        texts={"comment": "Terima kasih."},
    )
    return drive(case, target, cast, route)


def _age(case: Case, days: float) -> None:
    """Move the case's history ``days`` into the past."""
    delta = timedelta(days=days)
    # the audit trail is append-only in the database; the loader marks its own transaction
    # as the one that may rewrite it (migrations 0002 and 0010)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL aspirasi.rewrite_history = 'on'")
        elif connection.vendor == "sqlite":
            cursor.execute("INSERT INTO casework_history_rewrite (marker) VALUES (1)")
    Case.objects.filter(pk=case.pk).update(
        created_at=F("created_at") - delta,
        updated_at=F("updated_at") - delta,
    )
    Case.objects.filter(pk=case.pk, closed_at__isnull=False).update(
        closed_at=F("closed_at") - delta
    )
    CaseEvent.objects.filter(case=case).update(created_at=F("created_at") - delta)
    tasks = CaseTask.objects.filter(case=case)
    tasks.update(created=F("created") - delta)
    for name in ("assigned", "started", "finished", "due_at", "sla_next_at"):
        tasks.filter(**{f"{name}__isnull": False}).update(**{name: F(name) - delta})
    Assignment.objects.filter(case=case).update(dispatched_at=F("dispatched_at") - delta)
    for name in ("accepted_at", "responded_at", "declined_at"):
        Assignment.objects.filter(case=case, **{f"{name}__isnull": False}).update(
            **{name: F(name) - delta}
        )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM casework_history_rewrite")


def seed_demo(*, cases: int = 200, seed: int = 20261128) -> DemoResult:
    if not Region.objects.exists():
        load_regions()
    load_reference()
    Unit.objects.filter(kind=UnitKind.KIM, code__in=ACTIVE_KIM).update(active=True)
    refdata.invalidate()
    for username, role, unit in OFFICERS:
        provision_officer(username=username, role=role, unit_code=unit, password=DEMO_PASSWORD)
    people = {username: _officer(username) for username, _role, _unit in OFFICERS}
    rng = random.Random(seed)
    villages = {
        code: list(Region.objects.filter(parent_id=code).values_list("code", flat=True))
        for code in KECAMATAN
    }
    categories = list(SUBJECTS)
    for index in range(cases):
        target = TARGETS[index % len(TARGETS)]
        kecamatan = rng.choice(list(KECAMATAN))
        if target == "received" or (kecamatan == "35.08.01" and rng.random() < 0.6):
            kecamatan = "35.08.01"
            desa = rng.choice(ACTIVE_KIM[:2])
        else:
            desa = rng.choice(villages[kecamatan])
        category = rng.choice(categories)
        with transaction.atomic():
            case = services.submit_case(
                actor=None,
                title=rng.choice(SUBJECTS[category]),
                description="Laporan warga yang dikumpulkan KIM desa. " * rng.randint(1, 4),
                category=category,
                desa=desa,
                channel=rng.choice(["kim", "web", "sms", "whatsapp"]),
                priority=rng.choice(["rendah", "sedang", "sedang", "tinggi", "darurat"]),
                confidentiality=rng.choice(["biasa", "biasa", "biasa", "anonim", "rahasia"]),
                reporter_name=rng.choice(
                    ["Siti Aminah", "Budi Santoso", "Sri Wahyuni", "Ahmad Fauzi"]
                ),
                reporter_phone=f"0812{rng.randint(10**7, 10**8 - 1)}",
                contact_consent=True,
            )
            case = _drive(case, target, rng, people, KECAMATAN[kecamatan])
            # a quarter of the open cases are old enough to have missed their deadline
            days = rng.uniform(8, 25) if rng.random() < 0.25 else rng.uniform(0, 1.5)
            _age(case, days)
    # what the aged history has missed since: reminders, escalations, closes (the sweep
    # belongs to the process engine; reached through its command, not imported)
    call_command("sweep", stdout=io.StringIO())
    return DemoResult(officers=OFFICERS, cases=cases)
