"""Clean partitions written straight from the snapshot generator's truth, for
tests of the value / inflation / degree marts (no crawl, no extraction: the
marts are tested, not the extractors).

Per ISO week, every posting the snapshot serves that week (all job sources)
becomes a clean row (occupation = the title's O*NET-SOC code; salary =
the posted range annualised, in USD via the generator's currency factor)
and its truth becomes mentions: credential demand at its strength, perks as
non-demand benefits mentions, the degree level (or_equivalent when the
posting accepts experience instead). Catalog offerings come from
snapshot.catalogs.truth(week), linked to the credential they lead to.

`boards` multiplies the job boards (more postings per week, same planted
shares): the demo web has ~430 active postings a week, too few for cells of
30; the generator is the same, only bigger.
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

from conftest import clean_posting_schema, write_mentions
from snapshot import catalogs
from snapshot import content as C
from snapshot.generator import JOB_SOURCES, Posting, Snapshot
from transforms.offerings import OFFERING_SCHEMA


def snapshot(boards: int = 1) -> Snapshot:
    """The demo snapshot, or one with `boards` times as many boards per board-based source."""
    from credwatch.settings import load_config

    cfg = load_config("sources")
    if boards > 1:
        cfg = {**cfg, "sources": []}
        for e in load_config("sources")["sources"]:
            snap = dict(e.get("snapshot") or {})
            for key, value in list(snap.items()):
                if isinstance(value, list) and key in ("boards", "sites", "companies", "sitemaps"):
                    snap[key] = [f"{b}" if i == 0 else f"{b}-x{i}" for i in range(boards) for b in value]
            cfg["sources"].append({**e, "snapshot": snap})
    return Snapshot(sources=cfg)


def clean_row(p: Posting, week: str) -> dict:
    s, loc = p.salary, p.location
    fx = C.CURRENCY_FACTOR[loc.currency]
    mid = (s.annual_min + s.annual_max) / 2 / fx if s else None
    return {"week": week, "posting_key": f"{p.source}:{p.posting_id}", "source": p.source, "source_id": str(p.posting_id),
            "title": p.title, "company": p.company, "soc_code": p.soc, "soc_major": p.soc[:2],
            "occupation_method": "exact", "occupation_confidence": 1.0, "salary_mid_usd": mid,
            "country": loc.country}


def mention_rows(p: Posting, week: str) -> list[dict]:
    key, out = f"{p.source}:{p.posting_id}", []
    for i, (cid, strength) in enumerate(sorted(p.demand.items())):
        out.append({"posting_key": key, "entity_type": "credential", "entity_id": cid, "surface": cid, "line_no": i,
                    "line_start": 0, "section": "requirements", "strength": strength, "counts_as_demand": True,
                    "rule": "truth", "week": week})
    for i, cid in enumerate(sorted(p.perks)):
        out.append({"posting_key": key, "entity_type": "credential", "entity_id": cid, "surface": cid, "line_no": 100 + i,
                    "line_start": 0, "section": "benefits", "strength": "none", "counts_as_demand": False,
                    "rule": "benefits_section", "week": week})
    if p.degree:
        out.append({"posting_key": key, "entity_type": "degree", "entity_id": p.degree, "surface": p.degree,
                    "line_no": 200, "line_start": 0, "section": "requirements",
                    "strength": "or_equivalent" if p.degree_or_equivalent else "required",
                    "counts_as_demand": True, "rule": "truth", "week": week})
    return out


def offering_rows(week: str) -> list[dict]:
    return [{"week": week, "offering_key": f"{o['source']}:{o['key']}", "source": o["source"], "source_id": o["key"],
             "provider": o["provider"], "title": o["title"], "price": o["price"], "currency": o["currency"],
             "duration_hours": o["hours"], "status": "active", "credential_id": o["credential_id"],
             "link_method": "truth" if o["credential_id"] else "none", "link_score": 1.0 if o["credential_id"] else None}
            for o in catalogs.truth(week)]


def write_week(lake_clean: Path, snap: Snapshot, week: str) -> int:
    """Write clean/week=<week>/ (postings, mentions, offerings); returns the number of postings."""
    part = lake_clean / f"week={week}"
    part.mkdir(parents=True, exist_ok=True)
    served = [p for src in JOB_SOURCES for p in snap.active_postings(src, week)]
    schema = clean_posting_schema()
    base = {c: None for c in schema} | {"text": ""}
    pl.DataFrame([base | clean_row(p, week) for p in served], schema=schema).write_parquet(part / "postings.parquet")
    write_mentions(part / "mentions.parquet", [m for p in served for m in mention_rows(p, week)])
    pl.DataFrame(offering_rows(week), schema=OFFERING_SCHEMA).write_parquet(part / "offerings.parquet")
    return len(served)
