"""A venue kiosk's check-in in its common case, as one SQL statement for a batch of scans.

Why: through the ORM a kiosk check-in cost 22 queries and 35 ms of CPU on a small server (the colour
alone up to 9 queries), and the issue asks for check-ins at 60 % of the throughput of a trivial
endpoint (bench/codes_load.py). Nearly every scan is the common case: a valid token whose user may
write at the venue, an active venue, a resident already known with the same name and phone, no earlier
scan within the duplicate window, and no record that could colour the code. For a batch of such scans
(actions.py groups those arriving together) one INSERT … SELECT checks all of that in the database
and writes the rows; a scan that is not the common case is simply not written.

The caller sends every scan not written the ORM way (record_checkins), which has the rules, the reasons
and the Chinese messages. When a resident has any record that colour_of would read, the row is written
with `colour_shown` empty and the caller computes the colour and stores it.

`PLAIN_GREEN` must say "no inputs" only when colours.gather would find none at that moment: it mirrors
gather's filters (coarser is safe: it only sends more residents to colour_of), and a test builds every
kind of record through the actions and checks both agree. Registered rule inputs (rules.PROVIDERS, e.g.
tracing's cases and venue candidates) bring their own test (register_input(..., plain_sql=...)), added
to it with AND; while a provider without one is registered, no check-in is taken as plainly green. `KNOWN_IDENTITY` and `MAY_WRITE` likewise mirror identity.identify and
api_auth.user_for_token with scoping; a test checks each way of falling outside them.
"""

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection

from fangkong.healthcodes.colours import local_date
from fangkong.healthcodes.rules import MAX_DAYS, MAX_HOURS, plain_sql_of_providers
from fangkong.lib import hot_sql
from fangkong.measures.rules import local_midnight
from fangkong.registry.models import DocumentType

# "Nothing colour_of would read" for identity i at %(at)s: colours.gather's filters, in SQL.
PLAIN_GREEN = """
    NOT EXISTS (SELECT 1 FROM codes_passage p WHERE p.identity_id = i.id
                AND p.at > %(readings_from)s AND p.at <= %(at)s
                AND (p.temperature IS NOT NULL OR p.fever))
    AND NOT EXISTS (SELECT 1 FROM codes_manualcolour mc WHERE mc.identity_id = i.id
                AND mc.starts_at <= %(at)s AND mc.expires_at > %(at)s)
    AND (i.person_id IS NULL OR (
        NOT EXISTS (SELECT 1 FROM measures_measure m WHERE m.person_id = i.person_id
                AND m.started_at <= %(at)s
                AND (m.released_at IS NULL OR m.released_at > %(at)s OR m.planned_end > %(at)s))
        AND NOT EXISTS (SELECT 1 FROM measures_screening s WHERE s.person_id = i.person_id
                AND s.arrived_on >= %(earliest_day)s AND s.arrived_on <= %(today)s)
        AND NOT EXISTS (SELECT 1 FROM measures_followup f WHERE f.person_id = i.person_id
                AND f.taken_at > %(readings_from)s AND f.taken_at <= %(at)s)
        AND NOT EXISTS (SELECT 1 FROM measures_testresult t WHERE t.person_id = i.person_id
                AND t.sampled_at >= %(tests_from)s AND t.sampled_at <= %(at)s)))
"""

# The identity as identify() would return it unchanged: same ID number, name and phone, and linked to
# the registry person of that ID number (with the same name) when there is one.
KNOWN_IDENTITY = """
    i.id_number = r.id_number AND i.name = r.name AND i.phone = r.phone
    AND ((i.person_id IS NULL AND NOT EXISTS (
            SELECT 1 FROM registry_person rp WHERE rp.document_type = %(resident_id)s
            AND rp.id_number = r.id_number))
        OR EXISTS (SELECT 1 FROM registry_person rp WHERE rp.id = i.person_id AND rp.name = r.name))
"""

# The token as user_for_token would accept it, and a membership under which its user may write at the
# venue's node (the roles come from scoping.CAPABILITIES).
MAY_WRITE = """
    t.revoked_at IS NULL AND u.is_active
    AND EXISTS (SELECT 1 FROM grid_membership gm JOIN grid_jurisdiction gn ON gn.id = gm.node_id
                WHERE gm.user_id = u.id AND gm.role IN ({roles}) AND n.path LIKE gn.path || '%%')
"""

INSERT = """
WITH r (client_id, digest, venue_code, id_number, name, phone) AS (VALUES {rows})
INSERT INTO codes_checkin (venue_id, identity_id, at, scanned_by_id, source, client_id, colour_shown)
SELECT v.id, i.id, %(at)s, NULL, %(source)s, r.client_id,
       CASE WHEN %(plain_possible)s AND {plain_green} THEN 'green' ELSE '' END
FROM r
JOIN grid_apitoken t ON t.digest = r.digest
JOIN {user_table} u ON u.id = t.user_id
JOIN codes_venue v ON v.code = r.venue_code AND v.active
JOIN grid_jurisdiction n ON n.id = v.node_id
JOIN codes_identity i ON {known_identity}
WHERE {may_write}
  AND NOT EXISTS (SELECT 1 FROM codes_checkin d WHERE d.venue_id = v.id AND d.identity_id = i.id
                  AND d.at > %(window_from)s AND d.at < %(window_to)s
                  AND (d.checked_out_at IS NULL OR d.checked_out_at > %(at)s))
ON CONFLICT (client_id) DO NOTHING
RETURNING id, client_id, venue_id, identity_id, colour_shown,
    (SELECT name FROM codes_venue WHERE codes_venue.id = codes_checkin.venue_id)
"""


class Scan(NamedTuple):
    """A kiosk's scan in the form the statement takes (its fields in the order of the VALUES rows); the
    caller has normalised them."""

    client_id: str
    token_digest: str
    venue_code: str
    id_number: str
    name: str
    phone: str


@dataclass(frozen=True)
class Written:
    id: int
    client_id: str
    venue_id: int
    identity_id: int
    colour_shown: str  # "green", or "" when the resident has records: the caller computes the colour
    venue_name: str
    at: dt.datetime  # the batch's time, given to the statement


def insert_scans(
    scans: list[Scan], *, at: dt.datetime, source: str, window: dt.timedelta, write_roles: list[str]
) -> dict[str, Written]:
    """Write the scans that are the common case, in one statement; by client id, those written."""
    ops = connection.ops
    providers_sql = plain_sql_of_providers()
    today = local_date(at)  # the day as gather sees it
    params = {
        "at": ops.adapt_datetimefield_value(at),
        "readings_from": ops.adapt_datetimefield_value(at - dt.timedelta(hours=MAX_HOURS)),
        "earliest_day": ops.adapt_datefield_value(today - dt.timedelta(days=MAX_DAYS + 1)),
        "today": ops.adapt_datefield_value(today),
        "tests_from": ops.adapt_datetimefield_value(local_midnight(today - dt.timedelta(days=MAX_DAYS + 1))),
        "window_from": ops.adapt_datetimefield_value(at - window),
        "window_to": ops.adapt_datetimefield_value(at + window),
        "plain_possible": providers_sql is not None,
        "released_from": ops.adapt_datetimefield_value(at - dt.timedelta(days=MAX_DAYS + 1)),
        "source": source,
        "resident_id": DocumentType.RESIDENT_ID,
    }
    rows = []
    for index, scan in enumerate(scans):
        names = [f"{field}{index}" for field in Scan._fields]
        params.update(zip(names, scan, strict=True))
        rows.append("(" + ", ".join(f"%({name})s" for name in names) + ")")
    roles = []
    for index, role in enumerate(write_roles):
        params[f"role{index}"] = role
        roles.append(f"%(role{index})s")
    sql = INSERT.format(
        rows=", ".join(rows),
        plain_green=PLAIN_GREEN + (providers_sql or ""),
        known_identity=KNOWN_IDENTITY,
        may_write=MAY_WRITE.format(roles=", ".join(roles)),
        user_table=get_user_model()._meta.db_table,
    )
    return {row[1]: Written(*row, at=at) for row in hot_sql.fetch(sql, params)}
