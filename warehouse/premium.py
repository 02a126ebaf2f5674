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
stratified by cell on both sides (each cell keeps its n). The reference
median of a cell, whose n is every other salaried posting of the cell, is
drawn from its order-statistic distribution (boot_medians), which is the
same distribution without the (samples x n) matrix; so is a one-cell
requiring median. A pooled requiring side draws only the resampled values
near its median, given multinomial counts below / near / above it
(pooled_boot_medians): the same distribution again. Every
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


def boot_medians(values: np.ndarray, samples: int, rng: np.random.Generator, presorted: bool = False) -> np.ndarray:
    """Medians of `samples` resamples (with replacement, same n) of `values`,
    drawn without materialising the resamples.

    A resample is n draws v[floor(n * U_i)] of sorted values v with U_i
    uniform on [0, 1); floor is monotone, so its m-th smallest draw is
    v[floor(n * U_(m))], and the m-th order statistic of n uniforms is
    Beta(m, n - m + 1). For even n the median also needs the (m+1)-th: given
    U_(m) = u, the other n - m uniforms are uniform on (u, 1), so
    U_(m+1) = u + (1 - u) * Beta(1, n - m). Exactly the distribution of the
    naive (samples x n) bootstrap, in O(samples) after one sort instead of
    O(samples x n): the reference side of a premium is every salaried
    posting of its cells (half a million over a 26-week window), which the
    naive draw cost seconds per credential for.
    """
    v = np.asarray(values, dtype=np.float64)
    if not presorted:
        v = np.sort(v)
    n = len(v)
    if n == 0:
        raise ValueError("boot_medians: no values to resample")
    if n % 2:
        m = (n + 1) // 2
        u = rng.beta(m, n - m + 1, size=samples)
        return v[np.minimum((u * n).astype(np.int64), n - 1)]
    m = n // 2
    u1 = rng.beta(m, n - m + 1, size=samples)
    u2 = u1 + (1.0 - u1) * rng.beta(1, n - m, size=samples)
    i1 = np.minimum((u1 * n).astype(np.int64), n - 1)
    i2 = np.minimum((u2 * n).astype(np.int64), n - 1)
    return (v[i1] + v[i2]) / 2.0


def _median(v: np.ndarray, presorted: bool) -> float:
    """np.median(v); O(1) on sorted input (the same two middle values, the same mean)."""
    if not presorted:
        return float(np.median(v))
    n = len(v)
    return float(v[n // 2]) if n % 2 else float((v[n // 2 - 1] + v[n // 2]) / 2.0)


def pooled_boot_medians(values: list[np.ndarray], scales: np.ndarray, rng: np.random.Generator,
                        window: float = 3.0) -> np.ndarray:
    """Medians of `samples` stratified resamples of ratios, drawn without the
    (samples x n) matrix: for sample b, cell c contributes n_c draws (with
    replacement) from values[c] divided by scales[b, c], and the result is the
    median of all n = sum n_c ratios (for even n, the mean of the two middle).

    values: each cell's values in ascending order; scales: (samples, cells),
    positive. Exact in distribution, by conditioning on counts: take a
    window [tL, tH] of ratios around the point median (its ranks +/- window x
    sqrt(n) at scales' column medians). For each sample and cell, the items
    of the cell split into below / inside / above the window at that
    sample's scale (index ranges of the sorted values), and the numbers of
    draws in each are multinomial: two binomials. Given the counts, the draws
    inside are iid uniform over the inside items, so only those are drawn,
    and the median is found among them when it lies inside (below < k and
    below + inside > k for both middle ranks k). A sample whose median falls
    outside (rare) draws its below and above items too, with the same counts:
    still exact. Work: samples x (cells + ~2 window sqrt(n)) instead of
    samples x n; tests/test_premium_bootstrap.py compares it with the matrix.
    """
    samples, n_cells = scales.shape
    sizes = np.array([len(v) for v in values], dtype=np.int64)
    n = int(sizes.sum())
    flat = np.concatenate(values).astype(np.float64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    k1, k2 = (n - 1) // 2, n // 2
    # The window, from the ratios at typical scales.
    typical = np.median(scales, axis=0)
    point = np.sort(flat / np.repeat(typical, sizes))
    half = int(np.ceil(window * np.sqrt(n)))
    t_lo, t_hi = point[max(0, k1 - half)], point[min(n - 1, k2 + half)]
    # Per (sample, cell): index ranges of the sorted values below / inside the window.
    j_lo = np.empty((samples, n_cells), dtype=np.int64)
    j_hi = np.empty((samples, n_cells), dtype=np.int64)
    for c, v in enumerate(values):
        j_lo[:, c] = np.searchsorted(v, t_lo * scales[:, c], side="left")
        j_hi[:, c] = np.searchsorted(v, t_hi * scales[:, c], side="right")
    size = np.broadcast_to(sizes, (samples, n_cells))
    below = rng.binomial(size, j_lo / size)
    rest = size - below
    span = size - j_lo
    inside = rng.binomial(rest, np.divide(j_hi - j_lo, span, out=np.zeros(span.shape), where=span > 0))
    b_tot, i_tot = below.sum(axis=1), inside.sum(axis=1)
    ok = (b_tot <= k1) & (b_tot + i_tot > k2)

    ratio, sample_of = _uniform_draws(inside, j_lo, j_hi, np.arange(samples), flat, offsets, scales, rng)
    # Each sample's draws (they arrive grouped by sample) as one row of a
    # (samples, most draws) matrix padded with +inf, sorted row by row: the
    # exact order, and ~3.5x faster than one argsort of the flat draws (the
    # largest cost of a 26-week inflation window). Padding sorts last, after
    # every rank read below.
    start = np.concatenate([[0], np.cumsum(i_tot)[:-1]])
    rows = np.full((samples, max(int(i_tot.max()), 1)), np.inf)
    rows[sample_of, np.arange(len(ratio)) - start[sample_of]] = ratio
    rows.sort(axis=1)
    out = np.empty(samples)
    good = np.flatnonzero(ok)
    out[good] = (rows[good, k1 - b_tot[good]] + rows[good, k2 - b_tot[good]]) / 2.0
    for i in np.flatnonzero(~ok):
        # Median outside the window: draw this sample's other items too (same counts).
        r = slice(i, i + 1)
        low, _ = _uniform_draws(below[r], np.zeros_like(j_lo[r]), j_lo[r], [i], flat, offsets, scales, rng)
        high, _ = _uniform_draws(rest[r] - inside[r], j_hi[r], size[r], [i], flat, offsets, scales, rng)
        full = np.sort(np.concatenate([low, rows[i, :i_tot[i]], high]))
        out[i] = (full[k1] + full[k2]) / 2.0
    return out


def _uniform_draws(counts, lo, hi, rows, flat, offsets, scales, rng):
    """counts[r, c] uniform draws over the items [lo, hi) of cell c (flat[offsets[c]:]),
    divided by scales[rows[r], c]; returns (ratios, sample of each), grouped by sample."""
    n_rows, n_cells = counts.shape
    cnt = counts.ravel()
    sample_of = np.repeat(np.repeat(np.asarray(rows), n_cells), cnt)
    cell_of = np.repeat(np.tile(np.arange(n_cells), n_rows), cnt)
    lo_r, width = np.repeat(lo.ravel(), cnt), np.repeat((hi - lo).ravel(), cnt)
    idx = lo_r + np.minimum((rng.random(len(lo_r)) * width).astype(np.int64), width - 1)
    return flat[offsets[cell_of] + idx] / scales[sample_of, cell_of], sample_of


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
             rng: Callable[[object, str], np.random.Generator], pooled: bool, presorted: bool = False,
             medians: bool = True) -> Estimate:
    """Premium of requiring vs reference postings over the cells in `required`.

    required / reference: salaries per cell key. For a pooled estimate only
    cells with >= s.ref_min_n reference salaries take part; a single cell is
    used as is. rng(cell, side) -> the generator of that cell's resamples
    of one side ("reference", "required"; a pool's required side asks for
    its first cell and a side naming every cell), so estimates do not depend
    on the order they are computed in. presorted: every reference array is
    in ascending order (skips a sort per cell). Suppressed (premium and interval None) when either
    side has fewer than s.min_n salaries. medians=False leaves median_required and
    median_reference None (the premium does not need them; the reference side's
    median over every cell is a pass over ~500,000 salaries per credential in a
    26-week window).
    """
    cells = sorted(c for c, v in required.items() if len(v)
                   and (not pooled or len(reference.get(c, ())) >= s.ref_min_n))
    req = {c: required[c] for c in cells}
    ref = {c: reference.get(c, np.empty(0)) for c in cells}
    n_req = int(sum(len(v) for v in req.values()))
    n_ref = int(sum(len(v) for v in ref.values()))
    med_req = med_ref = None
    if medians and n_req:
        med_req = float(np.median(np.concatenate(list(req.values()))))
    if medians and n_ref:
        med_ref = float(np.median(np.concatenate(list(ref.values()))))
    reasons = []
    if n_req < s.min_n:
        reasons.append(f"requiring postings with a salary: {n_req} < {s.min_n}")
    if n_ref < s.min_n:
        reasons.append(f"reference postings with a salary: {n_ref} < {s.min_n}")
    if reasons:
        if pooled and len(cells) < len([c for c, v in required.items() if len(v)]):
            reasons.append(f"cells with < {s.ref_min_n} reference salaries left out")
        return Estimate(n_req, n_ref, len(cells), med_req, med_ref, None, None, None, True, "; ".join(reasons), None)
    ratios = np.concatenate([req[c] / _median(ref[c], presorted) for c in cells])
    point = 100.0 * (float(np.median(ratios)) - 1.0)
    # Reference salaries arrive sorted (credential_estimates orders every cell by salary).
    ref_meds = np.column_stack([boot_medians(ref[c], s.samples, rng(c, "reference"), presorted=presorted) for c in cells])
    if len(cells) == 1:
        # One cell: every ratio has the same denominator, and a median is
        # scale-equivariant, so a resample's median ratio is its median salary
        # over the reference median, drawn like the reference side in O(samples).
        # Every cell row of credential_value_weekly takes this path.
        boot = 100.0 * (boot_medians(req[cells[0]], s.samples, rng(cells[0], "required")) / ref_meds[:, 0] - 1.0)
    else:
        # Several cells: the median of every resampled ratio, by conditioning on
        # how many draws fall near the median (pooled_boot_medians); its generator
        # is the pool's, as its draws depend on the whole pool.
        pool_rng = rng(cells[0], "required pooled with " + "|".join(map(str, cells)))
        boot = 100.0 * (pooled_boot_medians([np.sort(req[c]) for c in cells], ref_meds, pool_rng) - 1.0)
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
      the weeks counts once, with its attributes in the latest of them. Row
      i is posting number i (no other order: no estimate depends on it);
    - asks: pos (the posting's row in postings), credential_id, rank (1
      required, 2 or_equivalent, 3 preferred) from the demand mentions of
      that same listing, one row per (posting, credential).
    """
    return population_frames(*population_reads(con, weeks))


def population_reads(con, weeks: list[str]):
    """population's two DuckDB reads: the window's active postings, one row per
    canonical posting (canonical_id, posting_key, seen_week, soc_major,
    region, salary), and their listings' strongest demand ask per credential
    (seen_week, posting_key, credential_id, rank)."""
    import polars as pl

    # One scan of the window's active postings, their asks joined in Polars:
    # a second DuckDB query for the asks re-ran the window's dedup (a 26-week
    # window at 1M postings: 0.71 -> 0.56 s).
    ap = pl.from_arrow(con.sql("""
        SELECT a.canonical_id, a.posting_key, a.seen_week, a.soc_major, a.region,
               CAST(a.salary_mid_usd AS DOUBLE) AS salary
        FROM int_active_postings a
        WHERE a.week IN (SELECT unnest(CAST(? AS VARCHAR[])))
        QUALIFY row_number() OVER (PARTITION BY a.canonical_id ORDER BY a.week DESC) = 1
    """, params=[weeks]).to_arrow_table())
    # A listing's mentions are those of the week its text was seen (seen_week);
    # its strongest ask per credential taken here, so the join below meets at
    # most one row per (listing, credential) and needs no group-by. The
    # registry filter is a semi-join: the inner join with dim_credential it
    # replaces gave the same rows at twice the cost.
    mentions = pl.from_arrow(con.sql("""
        SELECT m.week AS seen_week, m.posting_key, m.credential_id,
               min(CAST(CASE m.strength WHEN 'required' THEN 1 WHEN 'or_equivalent' THEN 2 ELSE 3 END AS BIGINT)) AS rank
        FROM int_credential_mentions m
        WHERE m.counts_as_demand AND m.week IN (SELECT unnest(CAST(? AS VARCHAR[])))
          AND m.credential_id IN (SELECT credential_id FROM dim_credential)
        GROUP BY ALL
    """, params=[ap["seen_week"].unique().sort().to_list()]).to_arrow_table())
    return ap, mentions


def population_frames(ap, mentions):
    """population's (postings, asks) from population_reads' frames; split off so
    that a caller can read on the connection's thread and assemble on another."""
    import polars as pl

    # Postings keep the read's order (no estimate depends on it: every side is
    # sorted or reduced to order statistics before use), and each ask carries
    # its posting's row: one join of the asks, not a second one by canonical_id.
    ap = ap.with_row_index("pos")
    postings = ap.select("canonical_id", "soc_major", "region", "salary")
    asks = (ap.select("pos", "posting_key", "seen_week")
            .join(mentions, on=["seen_week", "posting_key"])
            .select("pos", "credential_id", "rank"))
    postings = postings.cast({"canonical_id": pl.String, "soc_major": pl.String, "region": pl.String, "salary": pl.Float64})
    asks = asks.cast({"pos": pl.Int64, "credential_id": pl.String, "rank": pl.Int64})
    return postings, asks


ALL = "ALL"


@dataclass
class Prepared:
    """credential_estimates' set-up over one population (postings, asks), made once
    and shared by calls over parts of its credentials (they may run on threads:
    it is only read)."""
    salary: np.ndarray         # per posting, NaN when none
    has_salary: np.ndarray
    cell: np.ndarray           # per posting, index into cell_names
    cell_names: list
    cell_salary: list          # per cell, its salaries in ascending order
    pos_in_cell: np.ndarray    # per salaried posting, its position in cell_salary[cell]
    ask_idx: np.ndarray        # per ask row, its posting
    ask_rank: np.ndarray
    ask_rows: dict             # credential -> its ask rows
    required_anywhere: list    # credentials required by at least one posting, sorted


def prepare(postings, asks) -> Prepared:
    """The vectorised set-up of credential_estimates (a window holds ~500,000
    postings): cell index per posting, row of each ask, and the salaried
    postings of every cell in ascending salary order, so every reference
    subset stays sorted."""
    import polars as pl

    salary = postings["salary"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    cells = postings.select("soc_major", "region").unique().sort("soc_major", "region", nulls_last=False)
    cell_names = list(cells.iter_rows())
    cell = (postings.select("soc_major", "region").with_row_index("_row")
            .join(cells.with_row_index("_cell"), on=["soc_major", "region"], how="left", nulls_equal=True)
            .sort("_row")["_cell"].cast(pl.Int64).to_numpy())
    has_salary = ~np.isnan(salary)
    by_salary = np.lexsort((salary, cell))  # cell, then salary (NaN last within a cell)
    by_salary = by_salary[has_salary[by_salary]]
    bounds = np.searchsorted(cell[by_salary], np.arange(len(cell_names) + 1))
    # Each cell's salaries in ascending order, contiguous, and every salaried
    # posting's position in its cell: a credential's reference side is its
    # cell's array without the few positions that ask for it (np.delete, a
    # contiguous copy), not a gather of the whole cell through a mask.
    sorted_salary = salary[by_salary]
    cell_salary = [sorted_salary[bounds[i]:bounds[i + 1]] for i in range(len(cell_names))]
    pos_in_cell = np.full(len(salary), -1, dtype=np.int64)
    pos_in_cell[by_salary] = np.arange(len(by_salary)) - bounds[cell[by_salary]]
    ask_idx = asks["pos"].to_numpy()
    ask_rank = asks["rank"].to_numpy()
    ask_rows = {c: np.asarray(r, dtype=np.int64) for c, r in
                asks.with_row_index("_ask").group_by("credential_id").agg(pl.col("_ask")).iter_rows()}
    required_anywhere = sorted(c for c, r in ask_rows.items() if (ask_rank[r] == 1).any())
    return Prepared(salary, has_salary, cell, cell_names, cell_salary, pos_in_cell, ask_idx, ask_rank, ask_rows,
                    required_anywhere)


def credential_estimates(postings, asks, s: Settings, seed_parts: tuple, group_sets: str = "all",
                         credentials: list[str] | None = None, medians: bool = True, prepared: Prepared | None = None):
    """Premium rows of every credential required by at least one posting.

    group_sets: "all" -> every cell, SOC x ALL, ALL x region and ALL x ALL;
    "national" -> ALL x ALL only. credentials: only these (default every
    credential required anywhere). medians: as in estimate. prepared:
    prepare(postings, asks), when the caller has it already. Each estimate
    depends only on its own seeded generators, so a call over a part of the
    credentials gives the same estimates as the call over all of them.
    Yields dicts (credential_id, soc_major, region, estimator,
    required_postings, Estimate), in key order.
    """
    p = prepared if prepared is not None else prepare(postings, asks)
    salary, has_salary, cell, cell_names = p.salary, p.has_salary, p.cell, p.cell_names
    ask_idx, ask_rank = p.ask_idx, p.ask_rank
    wanted = p.required_anywhere if credentials is None else sorted(credentials)
    for cred in wanted:
        rows = p.ask_rows.get(cred)
        if rows is None:
            continue
        req_idx = ask_idx[rows[ask_rank[rows] == 1]]
        if len(req_idx) == 0:
            continue
        req_cells = sorted(set(cell[req_idx].tolist()))
        required = {k: salary[req_idx[(cell[req_idx] == k) & has_salary[req_idx]]] for k in req_cells}
        # Reference: every salaried posting of the cell that does not ask for cred.
        asking = ask_idx[rows]
        asking = asking[has_salary[asking]]
        asking = asking[np.argsort(cell[asking], kind="stable")]
        cut = np.searchsorted(cell[asking], np.arange(len(cell_names) + 1))
        reference = {k: np.delete(p.cell_salary[k], p.pos_in_cell[asking[cut[k]:cut[k + 1]]]) for k in req_cells}
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
            est = estimate({k: required[k] for k in ks}, {k: reference[k] for k in ks}, s, rng, pooled, presorted=True,
                           medians=medians)
            yield {"credential_id": cred, "soc_major": g[0], "region": g[1],
                   "estimator": "cell_adjusted" if pooled else "cell",
                   "required_postings": sum(n_required_all[k] for k in ks)}, est
