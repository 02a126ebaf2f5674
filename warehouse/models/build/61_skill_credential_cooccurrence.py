"""skill_credential_cooccurrence: which skills postings ask for together with
which credentials, over a trailing window ending at each rebuilt week.

Population of week W: the canonical (de-duplicated) postings active in any
loaded week of the window W-(n-1) .. W, n = config/marts.yml
cooccurrence_window_weeks. A posting active in several weeks of the window
counts once and is read as last seen there: its representative listing
(int_active_postings.posting_key / seen_week) of its latest active week in
the window. It asks for a credential / a skill when a mention of it counts as
demand (required, preferred or or-equivalent), as in the demand marts;
credentials are those of dim_credential (the demand registry).

Per pair: support = P(s & c), confidence = P(s | c), credential_given_skill
= P(c | s), lift = P(s & c) / (P(s) P(c)). Pairs below the minimum support
(cooccurrence_min_postings postings and cooccurrence_min_support share, both
required) are not written.

A trailing window: every week from the earliest loaded one onwards is rebuilt
on a load (warehouse.load), so a backfilled week reaches the windows that
contain it. DELETE then INSERT of the week's rows: reruns give the same rows.
"""
from __future__ import annotations

from credwatch.settings import load_config
from credwatch.weeks import shift
from warehouse.models import run_sql

SCOPE = "mart"

SQL = """
DELETE FROM skill_credential_cooccurrence WHERE week = $week;
INSERT INTO skill_credential_cooccurrence
WITH window_rows AS (
    SELECT week, canonical_id, posting_key, seen_week FROM int_active_postings
    WHERE week >= $cooc_start AND week <= $week
), pop AS (
    -- One reading per posting: its representative in its latest active week of the window.
    SELECT canonical_id, posting_key, seen_week FROM window_rows
    QUALIFY row_number() OVER (PARTITION BY canonical_id ORDER BY week DESC) = 1
), n AS (
    SELECT count(*) AS postings, (SELECT count(DISTINCT week) FROM window_rows) AS weeks_loaded FROM pop
), cred AS (
    SELECT DISTINCT p.canonical_id, m.credential_id
    FROM pop p
    JOIN int_credential_mentions m ON m.week = p.seen_week AND m.posting_key = p.posting_key
    -- A semi-join on the registry: the inner join with dim_credential gave the
    -- same rows and cost ~0.1 s more over a 12-week window at 1M postings.
    WHERE m.counts_as_demand AND m.credential_id IN (SELECT credential_id FROM dim_credential)
), skill AS (
    SELECT DISTINCT p.canonical_id, m.skill_id
    FROM pop p
    JOIN int_skill_mentions m ON m.week = p.seen_week AND m.posting_key = p.posting_key
    WHERE m.counts_as_demand
), nc AS (
    SELECT credential_id, count(*) AS credential_postings FROM cred GROUP BY credential_id
), ns AS (
    SELECT skill_id, count(*) AS skill_postings FROM skill GROUP BY skill_id
), pairs AS (
    SELECT c.credential_id, s.skill_id, count(*) AS both_postings
    FROM cred c JOIN skill s USING (canonical_id)
    GROUP BY c.credential_id, s.skill_id
    HAVING count(*) >= $min_postings
)
SELECT $week AS week, $cooc_start AS window_start, n.weeks_loaded AS window_weeks_loaded,
       p.credential_id, p.skill_id,
       n.postings, nc.credential_postings, ns.skill_postings, p.both_postings,
       p.both_postings / n.postings AS support,
       p.both_postings / nc.credential_postings AS confidence,
       p.both_postings / ns.skill_postings AS credential_given_skill,
       (p.both_postings * n.postings) / (nc.credential_postings * ns.skill_postings) AS lift
FROM pairs p
CROSS JOIN n
JOIN nc USING (credential_id)
JOIN ns USING (skill_id)
WHERE p.both_postings / n.postings >= $min_support
ORDER BY p.credential_id, p.skill_id;
"""


def settings() -> dict:
    """cooccurrence_* of config/marts.yml, checked; the error names the key and the file."""
    cfg = load_config("marts")
    out = {}
    for key, kind, low, high in (
        ("cooccurrence_window_weeks", int, 1, None),
        ("cooccurrence_min_postings", int, 1, None),
        ("cooccurrence_min_support", float, 0.0, 1.0),
    ):
        if key not in cfg:
            raise ValueError(f"config/marts.yml lacks `{key}` (skill_credential_cooccurrence); add it, e.g. from git")
        value = cfg[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and int(value) != value):
            raise ValueError(f"config/marts.yml `{key}` = {value!r} must be a {'whole number' if kind is int else 'number'}")
        if value < low or (high is not None and value > high):
            raise ValueError(f"config/marts.yml `{key}` = {value!r} is out of range [{low}, {high if high is not None else '∞'}]")
        out[key] = kind(value)
    return out


def build(con, params: dict) -> None:
    s = settings()
    run_sql(con, SQL, {
        "week": params["week"],
        "cooc_start": shift(params["week"], -(s["cooccurrence_window_weeks"] - 1)),
        "min_postings": s["cooccurrence_min_postings"],
        "min_support": s["cooccurrence_min_support"],
    })
