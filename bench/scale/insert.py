"""The INSERT … SELECT statements that write one staged chunk of cases, and the secondary
indexes a large load drops and builds again."""

from __future__ import annotations

from typing import Any

from .data import BULK_TABLES, PATH_STATUS, REJECTION, RESPONSE
from .sql import _execute


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
