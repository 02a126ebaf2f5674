"""The benchmarks' scale generator (benchmarks/scale.py) writes a clean layer the
warehouse loads as it loads normalize's: postings, credential / degree /
skill mentions and catalog offerings, so every mart the analyst queries read
has rows at benchmark scale (docs/benchmarks.md, "Analyst queries")."""
from __future__ import annotations

import polars as pl


def test_clean_layer_has_skill_mentions_as_the_extractor_reads_the_lines_and_the_weeks_offerings(tmp_path):
    from benchmarks.scale import ScaledSnapshot, write_clean
    from snapshot import catalogs, content as C
    from transforms.skills import load_dictionary

    result = write_clean(tmp_path / "lake", postings=600, weeks=2, jobs=1)
    week = result["first_week"]
    part = tmp_path / "lake" / "clean" / f"week={week}"
    mentions = pl.read_parquet(part / "mentions.parquet")
    skills = mentions.filter(pl.col("entity_type") == "skill")
    assert skills.height > 600  # 2-4 skill lines a posting, most naming at least one skill
    # Every id is one the skill dictionary knows, and the grain of int_skill_mentions holds.
    assert set(skills["entity_id"]) <= set(load_dictionary()["skill_id"])
    assert skills.select("posting_key", "entity_id", "line_no").is_duplicated().sum() == 0
    assert set(skills["section"]) <= {"requirements", "preferred"}

    # A posting carrying the software family's first skill line gets that line's skills.
    line = C.SKILLS["software"][0]  # "Strong proficiency in Python, Go or Java"
    snap = ScaledSnapshot(600, 2)
    carrier = next(p for p in snap.postings_created(week) if line in p.sections.requirements)
    got = set(skills.filter(pl.col("posting_key") == f"{carrier.source}:{carrier.posting_id}")["entity_id"])
    assert {"python", "go", "esco-java"} <= got

    offerings = pl.read_parquet(part / "offerings.parquet")
    truth = catalogs.truth(week)
    assert offerings.height == len(truth) == result["per_week"][0]["offerings"]
    assert dict(zip(offerings["offering_key"], offerings["credential_id"])) == {
        f"{t['source']}:{t['key']}": t["credential_id"] for t in truth}
