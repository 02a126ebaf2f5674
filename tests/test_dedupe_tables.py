"""warehouse.dedupe_step.write_tables: after a reload of a week, the dedupe
tables hold exactly the replayed state, including postings that the new data
no longer lists in the reloaded week (their last week moves back)."""
from __future__ import annotations

import duckdb

from credwatch.settings import paths
from test_warehouse import two_weeks, write_partition  # noqa: F401  (fixture)
from warehouse.load import load_weeks


def _tables(con) -> tuple[dict, dict]:
    members = {r[0]: r[1:] for r in con.execute(
        "SELECT posting_key, canonical_id, first_seen, last_seen, weeks_seen FROM int_source_postings").fetchall()}
    canon = {r[0]: r[1:] for r in con.execute(
        "SELECT canonical_id, first_seen, last_seen, weeks_seen, n_members FROM int_canonical_postings").fetchall()}
    return members, canon


def test_reloaded_week_without_a_posting_keeps_its_earlier_rows(two_weeks):
    # The fixture lists greenhouse:0..3 in 2026-W10 and greenhouse:0..4 in 2026-W11.
    # 2026-W11 again, without greenhouse:3 and greenhouse:4: greenhouse:3 was last
    # listed in 2026-W10 now, and greenhouse:4 was never listed.
    write_partition("2026-W11", 3, [(0, "cissp", True)])
    load_weeks(["2026-W11"])
    con = duckdb.connect(str(paths().work_db), read_only=True)
    members, canon = _tables(con)
    lineage = {r[0]: r[1:] for r in con.execute(
        "SELECT posting_key, last_seen, canonical_last_seen FROM posting_lineage").fetchall()}
    con.close()
    assert members["greenhouse:3"] == ("greenhouse:3", "2026-W10", "2026-W10", 1)
    assert canon["greenhouse:3"] == ("2026-W10", "2026-W10", 1, 1)
    assert "greenhouse:4" not in members and "greenhouse:4" not in canon
    assert lineage["greenhouse:3"] == ("2026-W10", "2026-W10")
    assert set(lineage) == set(members) == {f"greenhouse:{i}" for i in range(4)}
