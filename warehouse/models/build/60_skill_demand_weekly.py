"""skill_demand_weekly: credential_demand_weekly's definitions applied to skills.

The SQL is not copied: it is the SQL of 32_credential_demand_weekly.sql,
renamed (credential → skill: the mentions table, the mart, the id column and
its temp table) with one difference of rows. The credential mart gives every
registry credential an ALL x ALL row each week (zero demand is a real value
there: ~670 credentials); the skill taxonomy has ~23,000 skills, so the
branch of the row set that adds them (`SELECT d.credential_id, 'ALL', 'ALL'
FROM dim_credential d UNION`) is dropped: a skill has a row in a cell, ALL x
ALL included, when it was asked for there in the week or in the 3 weeks
before. Every other definition (shares, strongest strength, trailing mean,
index, WoW/YoY, location quotient, employers) is the credential mart's, and
changes to build/32 flow here.

If build/32 changes in a way the renaming cannot follow (the universe branch
is gone or written differently, or a credential-only name appears), render()
raises, naming what it could not map, instead of building a wrong table.

Input: params from warehouse.load.mart_params (week, prev_week, yoy_week,
window_start, baseline_week). Output: the week's rows of skill_demand_weekly
(DELETE then INSERT: rerunning a week gives the same contents).
"""
from __future__ import annotations

import re
from pathlib import Path

from warehouse.models import run_sql

SCOPE = "mart"
SOURCE = Path(__file__).with_name("32_credential_demand_weekly.sql")

# Whole identifiers of the credential SQL and their skill counterparts.
RENAMES = (
    ("int_credential_mentions", "int_skill_mentions"),
    ("credential_demand_weekly", "skill_demand_weekly"),
    ("credential_id", "skill_id"),
    ("_demand_now", "_skill_demand_now"),
)
# The branch of the row set that zero-fills every registry credential in ALL x ALL.
UNIVERSE = re.compile(
    r"SELECT\s+d\.credential_id\s*,\s*'ALL'\s+AS\s+soc_major\s*,\s*'ALL'\s+AS\s+region\s+"
    r"FROM\s+dim_credential\s+d\s+UNION\s+",
    re.IGNORECASE,
)


def _without_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def render(source: str | None = None) -> str:
    """The skill mart's SQL, from build/32's text (or `source`, for tests)."""
    sql = _without_comments(SOURCE.read_text(encoding="utf-8") if source is None else source)
    found = len(UNIVERSE.findall(sql))
    if found != 1:
        raise ValueError(
            f"{SOURCE.name}: expected exactly one row-set branch `SELECT d.credential_id, 'ALL' AS soc_major, "
            f"'ALL' AS region FROM dim_credential d UNION` (the ALL x ALL zero-fill the skill mart leaves out), "
            f"found {found}; update UNIVERSE in {Path(__file__).name} to the new SQL"
        )
    sql = UNIVERSE.sub("", sql)
    for old, new in RENAMES:
        sql, n = re.subn(rf"\b{old}\b", new, sql)
        if n == 0:
            raise ValueError(f"{SOURCE.name}: identifier {old!r} no longer occurs; update RENAMES in {Path(__file__).name}")
    left = sorted(set(re.findall(r"\w*credential\w*", sql, re.IGNORECASE)))
    if left:
        raise ValueError(
            f"{SOURCE.name} uses credential-specific names {left} that {Path(__file__).name} does not map to skills; "
            "add them to RENAMES (or write the skill mart's SQL separately)"
        )
    return sql


def build(con, params: dict) -> None:
    run_sql(con, render(), params)
