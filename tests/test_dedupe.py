"""Dedupe and lineage (transforms/dedupe.py) on hand-built fixtures and on real
Greenhouse board history (../shared/data/greenhouse-history, tests only)."""
from __future__ import annotations

import random

import polars as pl
import pytest

from conftest import shared_data
from transforms.dedupe import (
    DedupeState,
    assign_week,
    canonical_postings,
    dedupe_config,
    duplicates_removed,
    estimated_jaccard,
    lineage_from_state,
    load_state,
    posting_lineage,
    run_weeks,
    save_state,
    signatures,
    state_assignments,
)
from transforms.dedupe import _pairs_with_similarity

RNG = random.Random(20261129)
VOCAB = [f"w{i}" for i in range(4000)]


def text(n: int = 250) -> str:
    return " ".join(RNG.choice(VOCAB) for _ in range(n))


def edited(t: str, n: int) -> str:
    words = t.split()
    for i in RNG.sample(range(len(words)), n):
        words[i] = RNG.choice(VOCAB)
    return " ".join(words)


def row(week, source, sid, title, company, location, body):
    return dict(posting_key=f"{source}:{sid}", week=week, source=source, source_id=sid, title=title, company=company, location_raw=location, text=body)


@pytest.fixture(scope="module")
def history() -> pl.DataFrame:
    job, other, rival = text(), text(), text()
    rows = []
    for w in ("2026-W01", "2026-W02", "2026-W03"):
        rows.append(row(w, "greenhouse", "1", "Senior Data Engineer", "Acme Inc.", "Austin, TX", job))
    for w in ("2026-W02", "2026-W03"):  # cross-posted copy: other spelling, small text edits
        rows.append(row(w, "lever", "a", "Sr. Data Engineer", "ACME", "Austin, Texas, United States", edited(job, 5)))
    # same source, same key, listed concurrently under another id: a second opening
    rows.append(row("2026-W02", "greenhouse", "2", "Senior Data Engineer", "Acme Inc.", "Austin, TX", other))
    # repost of job 1 under a new id after a gap of two weeks
    for w in ("2026-W06", "2026-W07"):
        rows.append(row(w, "greenhouse", "9", "Senior Data Engineer", "Acme Inc.", "Austin, TX", edited(job, 3)))
    # similar title, different company; and same key in another source with a different text
    rows.append(row("2026-W02", "lever", "z", "Senior Data Engineer", "Beta LLC", "Austin, TX", edited(job, 2)))
    rows.append(row("2026-W03", "schemaorg", "q", "Senior Data Engineer", "Acme", "Austin", rival))
    # re-listed long after the gap limit: a new posting
    rows.append(row("2026-W20", "greenhouse", "77", "Senior Data Engineer", "Acme Inc.", "Austin, TX", edited(job, 3)))
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def canon(history) -> pl.DataFrame:
    return canonical_postings(history.lazy()).collect()


def cid(canon: pl.DataFrame, key: str) -> str:
    return canon.filter(pl.col("posting_key") == key)["canonical_id"].item()


def test_cross_source_copy_and_repost_join_the_earliest_posting(canon):
    assert cid(canon, "lever:a") == "greenhouse:1"
    assert cid(canon, "greenhouse:9") == "greenhouse:1"
    links = dict(zip(canon["posting_key"], canon["link"]))
    assert links["greenhouse:1"] == "founder" and links["lever:a"] == "duplicate" and links["greenhouse:9"] == "repost"
    assert canon.filter(pl.col("posting_key") == "greenhouse:1")["cluster_size"].item() == 3


def test_distinct_jobs_stay_apart(canon):
    for key in ("greenhouse:2", "lever:z", "schemaorg:q", "greenhouse:77"):
        assert cid(canon, key) == key, key


def test_lineage_counts(canon, history):
    lin = posting_lineage(canon.lazy(), history.lazy()).collect()
    got = lin.filter(pl.col("canonical_id") == "greenhouse:1").select(
        "first_seen", "last_seen", "weeks_active", "weeks_seen", "repost_count", "duplicate_count", "n_members"
    ).row(0)
    assert got == ("2026-W01", "2026-W07", 7, 5, 1, 1, 3)
    assert lin.height == 5


def test_duplicates_removed_per_source_and_week(canon, history):
    d = duplicates_removed(canon.lazy(), history.lazy()).collect()
    lever = {r["week"]: (r["records"], r["removed"], r["share_removed"]) for r in d.filter(pl.col("source") == "lever").iter_rows(named=True)}
    assert lever == {"2026-W02": (2, 1, 0.5), "2026-W03": (1, 1, 1.0)}
    assert d.filter(pl.col("source") == "greenhouse")["removed"].sum() == 0


def test_rerun_and_incremental_weekly_run_give_the_same_ids(history, canon, tmp_path):
    again = canonical_postings(history.lazy()).collect()
    assert again.equals(canon)
    cfg = dedupe_config()
    first = run_weeks(history.lazy().filter(pl.col("week") <= "2026-W02"), DedupeState.empty(cfg), cfg)
    save_state(first, tmp_path / "week=2026-W02")
    restored = load_state(tmp_path / "week=2026-W02", cfg)
    assert restored.last_week == "2026-W02"
    assert "text" not in restored.members.columns and "text" not in restored.canonicals.columns
    final = run_weeks(history.lazy(), restored, cfg)
    assert state_assignments(final).equals(canon)
    lin = posting_lineage(canon.lazy(), history.lazy()).collect()
    assert lineage_from_state(final).equals(lin)


def test_state_guards(history, tmp_path):
    cfg = dedupe_config()
    state = run_weeks(history.lazy().filter(pl.col("week") <= "2026-W02"), DedupeState.empty(cfg), cfg)
    with pytest.raises(ValueError, match="already holds week 2026-W02"):
        assign_week(history.filter(pl.col("week") == "2026-W01"), state, "2026-W01", cfg)
    save_state(state, tmp_path / "s")
    with pytest.raises(ValueError, match="Rebuild the state"):
        load_state(tmp_path / "s", {**cfg, "version": "other"})


def test_minhash_similarity_tracks_jaccard():
    cfg = dedupe_config()
    base = text(300)
    df = pl.DataFrame({"posting_key": ["a", "b", "c", "d", "e"], "text": [base, base, edited(base, 6), text(300), "too short"]})
    sig = signatures(df.lazy(), cfg).collect()
    assert sig.filter(pl.col("posting_key") == "e")["signature"].item() is None  # below min_shingles: key decides
    pairs = pl.DataFrame({"x": ["a", "a", "a"], "y": ["b", "c", "d"]}).join(
        sig.select(x="posting_key", sx="signature"), on="x"
    ).join(sig.select(y="posting_key", sy="signature"), on="y")
    sim = dict(zip(pairs["y"], pairs.select(estimated_jaccard(pl.col("sx"), pl.col("sy"), cfg["num_bins"]))["sx"]))
    assert sim["b"] == 1.0
    assert sim["c"] > cfg["jaccard_threshold"]  # 6 words edited of 300: true Jaccard ~0.89
    assert sim["d"] < 0.2


def test_pair_search_equals_brute_force():
    """The NumPy band join finds exactly the pairs a brute force over every
    same-key pair finds (an equal non-empty band and estimated_jaccard, the
    Polars expression, >= threshold), with the same doubles; text-less
    postings pair on the key alone."""
    cfg = dedupe_config()
    bases = [text(200) for _ in range(12)]
    rows = []
    for i in range(160):
        b = RNG.randrange(len(bases))
        body = edited(bases[b], RNG.choice([0, 2, 8, 30, 120]))
        rows.append({"posting_key": f"p{i:03d}", "dkey": f"k{b % 4}", "text": body if i % 23 else "short"})
    df = pl.DataFrame(rows)
    sig = df.join(signatures(df.lazy(), cfg).collect(), on="posting_key")
    left = sig.filter(pl.col("posting_key") < "p080").select(pl.col("posting_key").alias("l"), "dkey", "signature")
    right = sig.filter(pl.col("posting_key") >= "p080").select(pl.col("posting_key").alias("r"), "dkey", "signature")
    got = _pairs_with_similarity(left.lazy(), right.lazy(), "l", "r", cfg).collect().sort("l", "r")

    k, bands, thr = cfg["num_bins"], cfg["lsh_bands"], cfg["jaccard_threshold"]
    width = k // bands
    allp = left.join(right, on="dkey", suffix="_r")
    text_ok = pl.col("signature").is_not_null() & pl.col("signature_r").is_not_null()
    band_equal = pl.any_horizontal([
        (pl.col("signature").list.slice(b * width, width) == pl.col("signature_r").list.slice(b * width, width))
        & ~pl.col("signature").list.slice(b * width, width).list.eval(pl.element() == 4294967295).list.all()
        for b in range(bands)])
    brute_text = (allp.filter(text_ok & band_equal)
                  .with_columns(estimated_jaccard(pl.col("signature"), pl.col("signature_r"), k).alias("similarity"))
                  .filter(pl.col("similarity") >= thr).select("l", "r", "similarity"))
    brute_key = allp.filter(~text_ok).select("l", "r", pl.lit(None, dtype=pl.Float64).alias("similarity"))
    want = pl.concat([brute_text, brute_key]).sort("l", "r")
    assert brute_text.height > 50 and brute_key.height > 0  # the fixture exercises both kinds
    assert got.equals(want)


# --------------------------------------------------------------- real history


def _greenhouse_history(every: int = 40) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Weekly clean-posting rows for a sample of boards, rebuilt as the README
    describes: presence rows (which job was listed in which week's snapshot)
    joined to their job objects in jobs.jsonl (title, location, company)."""
    from snapshot.replay import GreenhouseHistory

    data = GreenhouseHistory(shared_data("greenhouse-history"), every=every)
    jobs = data.jobs_frame(
        {"id": pl.Int64, "updated_at": pl.String, "title": pl.String, "company_name": pl.String, "location": pl.Struct({"name": pl.String}), "board": pl.String},
    )
    presence = data.presence()
    history = (
        presence.join(jobs, left_on=["board", "job_id", "updated_at"], right_on=["board", "id", "updated_at"], how="left")
        .select(
            (pl.lit("greenhouse:") + pl.col("job_id").cast(pl.String)).alias("posting_key"),
            pl.col("iso_week").alias("week"),
            pl.lit("greenhouse").alias("source"),
            pl.col("job_id").cast(pl.String).alias("source_id"),
            "title",
            pl.coalesce("company_name", "board").alias("company"),
            pl.col("location").struct.field("name").alias("location_raw"),
            pl.lit("").alias("text"),  # list form: no descriptions, so the key decides
        )
        .unique(["posting_key", "week"], keep="first", maintain_order=True)
    )
    return history, presence


def test_lineage_matches_greenhouse_presence_exactly():
    history, presence = _greenhouse_history()
    assert history["title"].null_count() == 0, "every presence row must find its job object"
    canon = canonical_postings(history.lazy()).collect()
    truth = presence.group_by("job_id").agg(
        pl.col("iso_week").min().alias("first"), pl.col("iso_week").max().alias("last"), pl.col("iso_week").n_unique().alias("weeks")
    )
    per_job = canon.with_columns(pl.col("source_id").cast(pl.Int64).alias("job_id")).join(truth, on="job_id", how="full", coalesce=True)
    assert per_job.height == truth.height == canon.height > 1000
    bad = per_job.filter((pl.col("first_seen") != pl.col("first")) | (pl.col("last_seen") != pl.col("last")) | (pl.col("weeks_seen") != pl.col("weeks")))
    assert bad.height == 0, bad.head()
    # Per canonical posting (reposts folded in): first/last week = min/max over its members' presence.
    lineage = posting_lineage(canon.lazy(), history.lazy()).collect()
    expected = per_job.group_by("canonical_id").agg(pl.col("first").min(), pl.col("last").max())
    both = lineage.join(expected, on="canonical_id", how="full", coalesce=True)
    assert both.filter((pl.col("first_seen") != pl.col("first")) | (pl.col("last_seen") != pl.col("last"))).height == 0
    assert lineage["repost_count"].sum() > 0  # the real boards do re-post under new ids


def test_cold_canonical_seen_again_matches_on_its_founders_signature(tmp_path):
    """A canonical posting last seen more than repost_max_gap_weeks ago keeps no
    signature in the state; seen again under its own key, it is a candidate
    again and its founder's signature is recomputed from the founding week's
    row: a similar cross-source copy links with a similarity, a dissimilar one
    under the same blocking key does not (a missing signature would let the
    key alone decide and link both)."""
    cfg = dedupe_config()
    gap = int(cfg["repost_max_gap_weeks"])
    job, stranger = text(), text()
    weeks = [f"2026-W{i:02d}" for i in range(1, gap + 5)]
    rows = [row(weeks[0], "greenhouse", "1", "Data Engineer", "Acme", "Austin, TX", job)]
    back = weeks[gap + 3]  # absent for gap + 2 weeks, then listed again under the same id
    rows += [row(back, "greenhouse", "1", "Data Engineer", "Acme", "Austin, TX", edited(job, 40)),
             row(back, "lever", "copy", "Data Engineer", "ACME", "Austin, TX", edited(job, 5)),
             row(back, "schemaorg", "other", "Data Engineer", "Acme", "Austin, TX", stranger)]
    # filler weeks, so the state moves on without the job
    rows += [row(w, "greenhouse", f"f{i}", f"Role {i}", "Filler", "Boston, MA", text()) for i, w in enumerate(weeks[1:gap + 3])]
    history = pl.DataFrame(rows)

    before = run_weeks(history.lazy().filter(pl.col("week") < back), DedupeState.empty(cfg), cfg)
    assert "greenhouse:1" not in before.signatures["canonical_id"].to_list()  # cold: no signature kept
    save_state(before, tmp_path / "s")
    restored = load_state(tmp_path / "s", cfg)
    with pytest.raises(ValueError, match="founder_rows"):
        assign_week(history.filter(pl.col("week") == back), restored, back, cfg)

    out = state_assignments(run_weeks(history.lazy(), restored, cfg))
    link = {r["posting_key"]: (r["canonical_id"], r["link"], r["similarity"]) for r in out.iter_rows(named=True)}
    assert link["lever:copy"][:2] == ("greenhouse:1", "duplicate") and link["lever:copy"][2] >= float(cfg["jaccard_threshold"])
    assert link["schemaorg:other"][:2] == ("schemaorg:other", "founder")
    assert state_assignments(run_weeks(history.lazy(), DedupeState.empty(cfg), cfg)).equals(out)
