"""The temporary tables a load joins (villages, categories, weights, the start slots of open
tasks, the task and event templates of each path) and the staging table of one chunk."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from .data import (
    CATEGORY_WEIGHT,
    CLOSED_MIX,
    DETAILS,
    GENERIC_TITLES,
    NAMES,
    OPEN_MIX,
    PRIORITIES,
    PRIORITY_MIX,
    REMIND_MARGIN,
    SECRET_POOL,
    TEMP_TABLES,
    TITLES,
)
from .paths import Paths
from .sql import _execute, _pick, _r, _tracking_sql


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
            stage_days = [
                sla.working_days_for(
                    stage,
                    category_id=category.pk,
                    sla_class=category.sla_class,
                    priority=priority,
                )
                for stage in stages
            ]
            days_rows.append((category.pk, priority, *stage_days))
            needed.update(stage_days[:3])
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


def _lookups(cursor: Any, now: datetime, officers: dict[str, Any], paths: Paths) -> dict[str, int]:
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

    strings = paths.strings
    _execute(
        cursor,
        "CREATE TEMP TABLE gen_tpl (path text, ord int, node text, fref text, ftype text,"
        " status text, stage text, PRIMARY KEY (path, ord))",
    )
    cursor.executemany(
        "INSERT INTO gen_tpl VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [
            (path, ord_, node, *strings[node], status, stage)
            for path, tasks in paths.tasks.items()
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
            for path, events in paths.events.items()
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
    paths: Paths,
) -> None:
    """The staging table ``gen_c``: one row per case of the chunk with everything the inserts
    need (choices, instants, ids offsets)."""
    r = [_r(k).format(seed=seed) for k in range(24)]
    open_path = _pick(r[1], OPEN_MIX)
    closed_path = _pick(r[1], CLOSED_MIX)
    prio = _pick(r[3], tuple(zip(PRIORITIES, PRIORITY_MIX, strict=True)))
    channel = _pick(r[5], (("web", 45), ("whatsapp", 25), ("api", 15), ("sms", 10), ("open311", 5)))
    conf = _pick(r[6], (("biasa", 85), ("anonim", 12), ("rahasia", 3)))
    ntasks = " ".join(f"WHEN '{p}' THEN {len(t)}" for p, t in paths.tasks.items())
    nevents = " ".join(f"WHEN '{p}' THEN {len(e)}" for p, e in paths.events.items())
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
