"""Salary premium of a credential: the estimator and its bootstrap interval,
shared by the credential_value_weekly and credential_inflation build steps.

Definitions (docs/methodology.md, "credential_value_weekly"):

- a posting *requires* c when its strongest demand mention of c is
  `required` (required > or_equivalent > preferred, as in
  credential_demand_weekly); it is a *reference* posting when it does not ask
  for c at any strength (perk / benefits mentions are not asks);
- single cell (one SOC major group x region): premium % =
  100 x (median salary of requiring postings / median salary of reference
  postings - 1);
- pooled (several cells): each requiring posting's salary is divided by the
  median salary of the reference postings of its own cell, and premium % =
  100 x (median of these ratios - 1). For one cell this equals the
  single-cell premium exactly (a median is scale-equivariant), so one
  function serves both. Only cells with at least `ref_min_n` reference
  postings take part (a cell median of 3 postings is not a reference).

Bootstrap: percentile interval from `samples` resamples. Resampling is
stratified by cell on both sides (each cell keeps its n), drawn as
index matrices (samples x n) per cell, not per-sample Python loops. Every
estimate takes its own generator seeded from its identity (week,
credential, cell), so a rerun, or a different processing order, gives the
same bytes.

Units: salaries are annualised USD (stg_postings.salary_mid_usd);
premiums and intervals are percent of the reference median.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from credwatch.settings import load_config

# Cap on resample-matrix elements per draw (samples x n), to bound memory on
# big cells; the draw is split over chunks of samples (deterministic).
_MAX_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class Settings:
    min_n: int
    ref_min_n: int
    samples: int
    interval: float
    seed: int


def settings() -> Settings:
    """The premium settings of config/marts.yml."""
    cfg = load_config("marts")
    return Settings(
        min_n=int(cfg.get("premium_min_n", 30)),
        ref_min_n=int(cfg.get("premium_reference_min_n", 10)),
        samples=int(cfg.get("premium_bootstrap_samples", 400)),
        interval=float(cfg.get("premium_interval", 0.90)),
        seed=int(cfg.get("premium_bootstrap_seed", 0)),
    )


def rng_for(seed: int, *parts: object) -> np.random.Generator:
    """A generator seeded from (seed, parts): stable across processes and orders."""
    digest = hashlib.sha256("|".join(map(str, (seed, *parts))).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def boot_medians(values: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Medians of `samples` resamples (with replacement, same n) of `values`."""
    n = len(values)
    step = max(1, _MAX_ELEMENTS // max(n, 1))
    out = [np.median(values[rng.integers(0, n, size=(min(step, samples - i), n))], axis=1)
           for i in range(0, samples, step)]
    return np.concatenate(out)


@dataclass
class Estimate:
    n_required: int          # requiring postings with a salary in the cells used
    n_reference: int         # reference postings with a salary in the cells used
    cells_used: int
    median_required: float | None
    median_reference: float | None
    premium_pct: float | None
    ci_low_pct: float | None
    ci_high_pct: float | None
    suppressed: bool
    suppressed_reason: str | None
    boot: np.ndarray | None  # bootstrap premiums (%), for intervals of differences


def estimate(required: dict[object, np.ndarray], reference: dict[object, np.ndarray], s: Settings,
             rng: Callable[[object, str], np.random.Generator], pooled: bool) -> Estimate:
    """Premium of requiring vs reference postings over the cells in `required`.

    required / reference: salaries per cell key. For a pooled estimate only
    cells with >= s.ref_min_n reference salaries take part; a single cell is
    used as is. rng(cell, side) -> the generator of that cell's resamples
    of one side ("required" / "reference"), so a cell contributes the same
    draws to every row that pools it. Suppressed (premium and interval None) when either
    side has fewer than s.min_n salaries.
    """
    cells = sorted(c for c, v in required.items() if len(v)
                   and (not pooled or len(reference.get(c, ())) >= s.ref_min_n))
    req = {c: required[c] for c in cells}
    ref = {c: reference.get(c, np.empty(0)) for c in cells}
    n_req = int(sum(len(v) for v in req.values()))
    n_ref = int(sum(len(v) for v in ref.values()))
    all_req = np.concatenate(list(req.values())) if cells else np.empty(0)
    all_ref = np.concatenate(list(ref.values())) if cells else np.empty(0)
    med_req = float(np.median(all_req)) if n_req else None
    med_ref = float(np.median(all_ref)) if n_ref else None
    reasons = []
    if n_req < s.min_n:
        reasons.append(f"requiring postings with a salary: {n_req} < {s.min_n}")
    if n_ref < s.min_n:
        reasons.append(f"reference postings with a salary: {n_ref} < {s.min_n}")
    if reasons:
        if pooled and len(cells) < len([c for c, v in required.items() if len(v)]):
            reasons.append(f"cells with < {s.ref_min_n} reference salaries left out")
        return Estimate(n_req, n_ref, len(cells), med_req, med_ref, None, None, None, True, "; ".join(reasons), None)
    ratios = np.concatenate([req[c] / np.median(ref[c]) for c in cells])
    point = 100.0 * (float(np.median(ratios)) - 1.0)
    boot_ratios = []
    for c in cells:
        ref_meds = boot_medians(ref[c], s.samples, rng(c, "reference"))  # (samples,)
        v = req[c]
        idx = rng(c, "required").integers(0, len(v), size=(s.samples, len(v)))
        boot_ratios.append(v[idx] / ref_meds[:, None])
    boot = 100.0 * (np.median(np.concatenate(boot_ratios, axis=1), axis=1) - 1.0)
    alpha = (1.0 - s.interval) / 2
    lo, hi = np.quantile(boot, [alpha, 1.0 - alpha])
    return Estimate(n_req, n_ref, len(cells), med_req, med_ref, point, float(lo), float(hi), False, None, boot)


def difference_interval(a: np.ndarray, b: np.ndarray, interval: float) -> tuple[float, float]:
    """Percentile interval of a - b from two independent bootstraps of equal size (paired by draw)."""
    alpha = (1.0 - interval) / 2
    lo, hi = np.quantile(a - b, [alpha, 1.0 - alpha])
    return float(lo), float(hi)


# --------------------------------------------------------------------------- population

def population(con, weeks: list[str]):
    """Unique postings active in any of `weeks` and their strongest ask per credential.

    Returns (postings, asks) as Polars frames:
    - postings: canonical_id, soc_major, region, salary (annualised USD or
      null), one row per canonical posting; a posting active in several of
      the weeks counts once, with its attributes in the latest of them;
    - asks: canonical_id, credential_id, rank (1 required, 2 or_equivalent,
      3 preferred) from the demand mentions of that same listing.
    """
    import polars as pl

    base = """
        WITH ap AS (
            SELECT a.* FROM int_active_postings a
            WHERE a.week IN (SELECT unnest(CAST(? AS VARCHAR[])))
            QUALIFY row_number() OVER (PARTITION BY a.canonical_id ORDER BY a.week DESC) = 1
        )
    """
    postings = pl.DataFrame(con.execute(base + """
        SELECT canonical_id, soc_major, region, salary_mid_usd AS salary FROM ap ORDER BY canonical_id
    """, [weeks]).fetchall(), schema={"canonical_id": pl.String, "soc_major": pl.String, "region": pl.String,
                                      "salary": pl.Float64}, orient="row")
    asks = pl.DataFrame(con.execute(base + """
        SELECT ap.canonical_id, m.credential_id,
               min(CASE m.strength WHEN 'required' THEN 1 WHEN 'or_equivalent' THEN 2 ELSE 3 END) AS rank
        FROM ap
        JOIN int_credential_mentions m ON m.week = ap.seen_week AND m.posting_key = ap.posting_key
        JOIN dim_credential d ON d.credential_id = m.credential_id
        WHERE m.counts_as_demand
        GROUP BY ALL
        ORDER BY ap.canonical_id, m.credential_id
    """, [weeks]).fetchall(), schema={"canonical_id": pl.String, "credential_id": pl.String, "rank": pl.Int64},
        orient="row")
    return postings, asks


ALL = "ALL"


def credential_estimates(postings, asks, s: Settings, seed_parts: tuple, group_sets: str = "all",
                         credentials: list[str] | None = None):
    """Premium rows of every credential required by at least one posting.

    group_sets: "all" -> every cell, SOC x ALL, ALL x region and ALL x ALL;
    "national" -> ALL x ALL only. Yields dicts (credential_id, soc_major,
    region, estimator, required_postings, Estimate), in key order.
    """
    import polars as pl

    socs = postings["soc_major"].to_list()
    regions = postings["region"].to_list()
    salary = postings["salary"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    cell_names = sorted(set(zip(socs, regions)))
    cell_index = {c: i for i, c in enumerate(cell_names)}
    cell = np.array([cell_index[(a, b)] for a, b in zip(socs, regions)], dtype=np.int64)
    has_salary = ~np.isnan(salary)
    salaried_in_cell = {i: np.flatnonzero((cell == i) & has_salary) for i in range(len(cell_names))}
    pos = {cid: i for i, cid in enumerate(postings["canonical_id"].to_list())}
    ask_idx = np.array([pos[c] for c in asks["canonical_id"].to_list()], dtype=np.int64)
    ask_cred = np.array(asks["credential_id"].to_list(), dtype=object)
    ask_rank = asks["rank"].to_numpy()
    wanted = sorted(set(ask_cred[ask_rank == 1]) if credentials is None else credentials)
    for cred in wanted:
        rows = ask_cred == cred
        mentioned = np.zeros(len(salary), dtype=bool)
        mentioned[ask_idx[rows]] = True
        req_idx = ask_idx[rows & (ask_rank == 1)]
        if len(req_idx) == 0:
            continue
        req_cells = sorted(set(cell[req_idx].tolist()))
        required = {k: salary[req_idx[(cell[req_idx] == k) & has_salary[req_idx]]] for k in req_cells}
        reference = {k: salary[salaried_in_cell[k][~mentioned[salaried_in_cell[k]]]] for k in req_cells}
        n_required_all = {k: int((cell[req_idx] == k).sum()) for k in req_cells}

        def rng(k, side, cred=cred):
            return rng_for(s.seed, *seed_parts, cred, *cell_names[k], side)

        groups: dict[tuple[str, str], list[int]] = {}
        for k in req_cells:
            soc, region = cell_names[k]
            keys = [(ALL, ALL)] if group_sets == "national" else [(soc, region), (soc, ALL), (ALL, region), (ALL, ALL)]
            for g in keys:
                groups.setdefault(g, []).append(k)
        for g in sorted(groups):
            ks = groups[g]
            pooled = ALL in g
            est = estimate({k: required[k] for k in ks}, {k: reference[k] for k in ks}, s, rng, pooled)
            yield {"credential_id": cred, "soc_major": g[0], "region": g[1],
                   "estimator": "cell_adjusted" if pooled else "cell",
                   "required_postings": sum(n_required_all[k] for k in ks)}, est
