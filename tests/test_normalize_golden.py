"""Golden test of the normalize + extract stage: any change to its output fails.

transforms.normalize.normalize_postings (postings, mentions, experience), the
catalog offerings (transforms.offerings) and unknown-credential candidates
(transforms.candidates) are run on a fixed sample stored in
tests/fixtures/normalize_golden/raw.parquet:
- 2,000 generated postings (the snapshot's text builder, varied and rendered
  as benchmarks/normalize_throughput.py does: the Go / R / C / Excel / "go to
  market" traps, about 2,700 characters of HTML each);
- 60 snapshot postings of each job source, some as entity-escaped HTML
  (Greenhouse), some with structured salary fields or plain text only;
- the gold set's own texts (config/eval/gold_mentions.jsonl, text items) as
  plain-text postings, and the SkillSpan dev sentences grouped into postings
  (tests/data/skillspan/dev.json);
- edge cases: a posting listed twice with different payloads, empty and
  missing source ids, empty descriptions, non-English text.
Offerings are the linking set config/eval/offering_links.csv. Skill spans
(transforms.skills.skill_spans, used by `credwatch eval`) are checked on the
SkillSpan lines too, with and without the dictionary baseline's plain mode.

Each output frame is compared to tests/fixtures/normalize_golden/expected.json:
its schema, row count and the sha256 of every column serialised as NDJSON in
the frame's own row order, so a changed value, type or row order fails and
the message names the frame and column.

The fixture was computed with the extractor as of 2026-11-30, before the
throughput work. Regenerate it ONLY for a deliberate output change:
    .venv/bin/python tests/test_normalize_golden.py --regenerate
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FIXTURE = REPO / "tests" / "fixtures" / "normalize_golden"
RAW = FIXTURE / "raw.parquet"
EXPECTED = FIXTURE / "expected.json"
WEEK = "2026-W10"


# --------------------------------------------------------------------------- fingerprints


def fingerprint(df: pl.DataFrame) -> dict:
    """Schema, row count and per-column sha256 (NDJSON, in row order) of a frame."""
    cols = {}
    for name in df.columns:
        buf = df.select(name).write_ndjson().encode()
        cols[name] = hashlib.sha256(buf).hexdigest()
    return {"rows": df.height, "schema": {k: str(v) for k, v in df.schema.items()}, "columns": cols}


def outputs() -> dict[str, pl.DataFrame]:
    """Every frame the stage writes, computed on the stored sample."""
    from transforms.candidates import find_candidates
    from transforms.evaluate import _frames, load_skillspan
    from transforms.normalize import normalize_postings
    from transforms.offerings import OFFERING_SCHEMA, RAW_OFFERING_SCHEMA, clean_offerings, link_offerings
    from transforms.skills import skill_spans

    raw = pl.read_parquet(RAW)
    postings, mentions, experience = normalize_postings(raw.lazy(), WEEK)

    links = pl.read_csv(REPO / "config" / "eval" / "offering_links.csv", infer_schema=False)
    raw_off = pl.DataFrame(
        [
            {k: None for k in RAW_OFFERING_SCHEMA}
            | {"source": "golden", "source_id": str(i), "title": r["title"], "provider": r["provider"],
               "credential_name": r["credential_name"],
               "exam_codes": [c for c in (r["exam_codes"] or "").split("|") if c],
               "description": r["note"], "price_raw": "$1,295.00" if i % 3 == 0 else None,
               "duration_raw": "4 weeks, 5-8 hours/week" if i % 4 == 0 else None,
               "week": WEEK, "payload_sha256": str(i)}
            for i, r in enumerate(links.iter_rows(named=True))
        ],
        schema=RAW_OFFERING_SCHEMA,
    )
    offerings = (
        link_offerings(clean_offerings(raw_off.lazy(), WEEK))
        .select([pl.col(c).cast(t) for c, t in OFFERING_SCHEMA.items()])
        .sort("offering_key")
        .collect()
    )
    candidates = find_candidates(postings.lazy().select("posting_key", "text"), offerings.lazy(), WEEK).collect()
    # link_offerings breaks a tie between two surfaces of one credential with the
    # same score and length arbitrarily ("Leading SAFe" / "SAFe Agilist"): a
    # known nondeterminism of linking, outside this stage: only whether
    # link_surface is set is compared.
    offerings = offerings.with_columns(pl.col("link_surface").is_not_null().alias("link_surface"))

    lines, texts = _frames(load_skillspan())
    spans = skill_spans(lines.lazy().drop("sid"), texts.lazy()).collect()
    spans_plain = skill_spans(lines.lazy().drop("sid"), texts.lazy(), plain=True).collect()
    return {
        "postings": postings, "mentions": mentions, "experience": experience,
        "offerings": offerings, "candidates": candidates,
        # skill_spans makes no row-order promise: compared in a canonical order
        "skill_spans": spans.sort(spans.columns), "skill_spans_plain": spans_plain.sort(spans_plain.columns),
    }


# --------------------------------------------------------------------------- the test


@pytest.fixture(scope="module")
def computed() -> dict[str, pl.DataFrame]:
    if not RAW.exists() or not EXPECTED.exists():
        pytest.fail(f"golden fixture {FIXTURE} is missing; restore it from git (regenerate only for a deliberate change)")
    return outputs()


@pytest.mark.parametrize("frame", ["postings", "mentions", "experience", "offerings", "candidates",
                                   "skill_spans", "skill_spans_plain"])
def test_output_is_unchanged(computed, frame):
    expected = json.loads(EXPECTED.read_text())[frame]
    got = fingerprint(computed[frame])
    assert got["schema"] == expected["schema"], f"{frame}: schema changed"
    assert got["rows"] == expected["rows"], f"{frame}: {got['rows']} rows, expected {expected['rows']}"
    changed = [c for c in expected["columns"] if got["columns"].get(c) != expected["columns"][c]]
    assert not changed, f"{frame}: values or row order changed in columns {changed}"


def test_sample_covers_the_traps(computed):
    """The sample exercises what the fixture is meant to guard (not vacuous)."""
    m = computed["mentions"]
    by_type = dict(m.group_by("entity_type").len().iter_rows())
    assert by_type.get("skill", 0) > 10_000 and by_type.get("credential", 0) > 1_000 and by_type.get("degree", 0) > 500
    rules = set(m["rule"].unique())
    assert {"ambiguous_no_context", "perk_phrase", "negated", "benefits_section", "or_equivalent_phrase",
            "preferred_phrase", "preferred_section", "non_demand_section", "dictionary"} <= rules
    assert {"go", "r", "c", "excel", "c#", "c++", "dotnet", "nodejs"} <= set(m.filter(pl.col("entity_type") == "skill")["surface"])
    assert computed["experience"].height > 1_000
    assert computed["candidates"].height > 0 and computed["offerings"]["credential_id"].is_not_null().sum() > 20


# --------------------------------------------------------------------------- building the sample


def build_raw() -> pl.DataFrame:
    """The stored input sample (see the module docstring)."""
    import dataclasses
    import html as html_lib
    import random

    from benchmarks.normalize_throughput import build_pool, generate_batch
    from snapshot import render
    from snapshot.generator import Snapshot
    from transforms.evaluate import load_skillspan
    from transforms.evaluate_mentions import load_gold
    from transforms.normalize import RAW_POSTING_SCHEMA

    base = {k: None for k in RAW_POSTING_SCHEMA}
    generated = generate_batch(build_pool(400), 0, 2000, seed=11)
    rows: list[dict] = []
    snap = Snapshot()
    r = random.Random(5)
    for source in ("greenhouse", "lever", "schemaorg", "ashby", "smartrecruiters", "remotive", "usajobs", "hackernews"):
        for i, p in enumerate(snap.active_postings(source, snap.weeks[3])[:60]):
            html = render.description_html(p)
            row = base | {
                "source": source, "source_id": str(p.posting_id), "url": f"https://example.com/{source}/{p.posting_id}",
                "title": p.title, "company": p.company, "location_raw": p.location.label,
                "remote": p.workplace == "remote" if i % 3 else None, "hybrid": p.workplace == "hybrid" if i % 3 else None,
                "description_html": html_lib.escape(html) if source == "greenhouse" and i % 2 else html,
                "date_posted": p.created_at.isoformat(), "employment_type": p.employment_type,
                "salary_raw": p.salary.text if p.salary and i % 4 else None,
                "language": "en", "week": WEEK, "fetched_at": "2026-03-06T12:00:00Z", "payload_sha256": f"{source}{i}",
            }
            if p.salary and i % 4 == 0:
                row |= {"salary_min": float(p.salary.min), "salary_max": float(p.salary.max),
                        "salary_currency": "USD" if i % 8 else None, "salary_period": p.salary.period}
            if i % 10 == 1:  # the same posting listed twice with another payload: the smallest hash is kept
                rows.append(row | {"payload_sha256": "0" + row["payload_sha256"], "description_html": html.replace("</li>", " (dup)</li>", 1)})
            if i % 15 == 2:  # plain text only
                row |= {"description_html": None, "description_text": p.full_text}
            rows.append(row)
    for j, it in enumerate(it for it in load_gold() if it.get("text") is not None):
        rows.append(base | {"source": "gold", "source_id": it["item_id"], "title": ["Data Analyst", "Registered Nurse", None, "Sr. Software Engineer"][j % 4],
                            "company": "Gold", "location_raw": ["Remote", "Austin, TX", None, "Berlin, DE; London"][j % 4],
                            "description_text": it["text"], "language": "en", "week": WEEK, "payload_sha256": str(j)})
    sentences = load_skillspan()
    by_post: dict[str, list[str]] = {}
    for s in sentences:
        by_post.setdefault(f"{s['source']}-{s['idx']}", []).append(" ".join(s["tokens"]))
    for k, lines in by_post.items():
        rows.append(base | {"source": "skillspan", "source_id": k, "title": "Software Engineer", "location_raw": "Copenhagen",
                            "description_text": "\n".join(lines), "language": "en", "week": WEEK, "payload_sha256": k})
    rows += [
        base | {"source": "edge", "source_id": None, "title": "no id", "description_text": "CISSP"},
        base | {"source": "edge", "source_id": "", "title": "empty id", "description_text": "CISSP"},
        base | {"source": "edge", "source_id": "empty", "title": "Nurse", "description_html": "", "payload_sha256": "e"},
        base | {"source": "edge", "source_id": "none", "title": None, "payload_sha256": "e"},
        base | {"source": "edge", "source_id": "de", "title": "Softwareentwickler (m/w/d)", "location_raw": "München, Deutschland",
                "description_html": "<h2>Ihr Profil</h2><ul><li>Abgeschlossenes Studium der Informatik (Master) oder vergleichbare Ausbildung</li>"
                                    "<li>3+ Jahre Erfahrung mit Go, Python und Kubernetes</li><li>AWS-Zertifizierung von Vorteil</li></ul>"
                                    "<p>Gehalt: 65.000 € - 80.000 € brutto pro Jahr</p>",
                "language": "de", "payload_sha256": "de"},
        base | {"source": "edge", "source_id": "fr", "title": "Infirmier / Infirmière", "location_raw": "Paris, France",
                "description_text": "Diplôme d'État d'infirmier exigé.\nExpérience de 2 ans minimum.\nCNA apprécié", "payload_sha256": "fr"},
    ]
    extra = pl.DataFrame(rows, schema=RAW_POSTING_SCHEMA)
    out = pl.concat([generated, extra])
    # shuffle so input order differs from output order
    return out.with_columns(pl.Series("_o", r.sample(range(out.height), out.height))).sort("_o").drop("_o")


def regenerate() -> None:
    FIXTURE.mkdir(parents=True, exist_ok=True)
    build_raw().write_parquet(RAW, compression="zstd", compression_level=22)
    fps = {name: fingerprint(df) for name, df in outputs().items()}
    EXPECTED.write_text(json.dumps(fps, indent=1, sort_keys=True) + "\n")
    print({k: v["rows"] for k, v in fps.items()}, f"{RAW.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit("usage: tests/test_normalize_golden.py --regenerate   (only for a deliberate output change)")
    regenerate()
