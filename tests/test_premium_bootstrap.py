"""warehouse.premium.boot_medians draws bootstrap medians from their
order-statistic distribution instead of materialising (samples x n)
resamples. It must give the naive bootstrap's distribution, for odd and even
n and with ties, and be reproducible from its generator."""
from __future__ import annotations

import numpy as np
import pytest

from warehouse.premium import boot_medians


def _naive(values: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    n = len(values)
    return np.median(values[rng.integers(0, n, size=(samples, n))], axis=1)


def _cdf_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Largest gap between the two empirical CDFs (two-sample KS statistic)."""
    grid = np.union1d(a, b)
    fa = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    fb = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return float(np.abs(fa - fb).max())


@pytest.mark.parametrize("n", [1, 2, 3, 8, 51, 400])
def test_same_distribution_as_naive_bootstrap(n):
    rng = np.random.default_rng(n)
    # Rounded salaries: ties, as real salary data has.
    values = rng.lognormal(11, 0.5, n).round(-3)
    samples = 20_000
    naive = _naive(values, samples, np.random.default_rng(1))
    fast = boot_medians(values, samples, np.random.default_rng(2))
    # 20,000 draws each: the KS statistic of two samples of one distribution
    # stays under ~0.015 (p = 0.05 at 0.0136); an off-by-one order statistic
    # moves it by tens of percent for small n.
    assert _cdf_distance(naive, fast) < 0.02
    # Every draw is a possible resample median: a value, or the mean of two.
    possible = np.union1d(values, (values[:, None] + values[None, :]).ravel() / 2)
    assert np.isin(fast, possible).all()


def test_presorted_and_order_of_values_do_not_matter():
    values = np.random.default_rng(3).lognormal(11, 0.4, 1001)
    a = boot_medians(values, 500, np.random.default_rng(7))
    b = boot_medians(np.sort(values), 500, np.random.default_rng(7), presorted=True)
    c = boot_medians(values[::-1], 500, np.random.default_rng(7))
    assert np.array_equal(a, b) and np.array_equal(a, c)


def test_cost_does_not_grow_with_samples_times_n():
    # 400 samples of a 2,000,000-value reference: the naive draw would need an
    # 800,000,000-element index matrix (6.4 GB); this must not allocate it.
    import resource

    values = np.random.default_rng(4).lognormal(11, 0.4, 2_000_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = boot_medians(values, 400, np.random.default_rng(8))
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert out.shape == (400,)
    assert grown_mib < 200, f"boot_medians grew peak RSS by {grown_mib:.0f} MiB"


def test_empty_input_names_the_problem():
    with pytest.raises(ValueError, match="no values"):
        boot_medians(np.empty(0), 10, np.random.default_rng(0))


def test_single_cell_estimate_has_the_naive_premium_distribution():
    """A one-cell premium is drawn as median salary / reference median from
    their order statistics; it must match the naive bootstrap (resample both
    sides, divide, take the median of the ratios), and pooling two cells
    (the matrix path) must still see each cell's own reference."""
    from warehouse.premium import Settings, estimate, rng_for

    rng = np.random.default_rng(11)
    req = rng.lognormal(11.2, 0.3, 51).round(-3)
    ref = np.sort(rng.lognormal(11.0, 0.35, 240).round(-3))
    s = Settings(min_n=10, ref_min_n=10, samples=20_000, interval=0.9, seed=5)
    fast = estimate({"c": req}, {"c": ref}, s, lambda c, side: rng_for(5, c, side), pooled=False, presorted=True)
    g = np.random.default_rng(3)
    ref_meds = np.median(ref[g.integers(0, len(ref), size=(s.samples, len(ref)))], axis=1)
    naive = 100 * (np.median(req[g.integers(0, len(req), size=(s.samples, len(req)))] / ref_meds[:, None], axis=1) - 1)
    assert fast.cells_used == 1
    assert _cdf_distance(naive, fast.boot) < 0.02
    assert fast.premium_pct == pytest.approx(100 * (np.median(req) / np.median(ref) - 1))
    # Two cells whose reference medians differ by 2x: the pooled path divides by each cell's own.
    pooled = estimate({"a": req, "b": 2 * req}, {"a": ref, "b": 2 * ref}, s, lambda c, side: rng_for(5, c, side),
                      pooled=True, presorted=True)
    assert pooled.cells_used == 2
    assert pooled.premium_pct == pytest.approx(fast.premium_pct)
    assert abs(np.median(pooled.boot) - np.median(fast.boot)) < 0.5


def _naive_pooled(values, scales, rng):
    parts = [v[rng.integers(0, len(v), size=(scales.shape[0], len(v)))] / scales[:, [c]] for c, v in enumerate(values)]
    return np.median(np.concatenate(parts, axis=1), axis=1)


@pytest.mark.parametrize("sizes,window", [((40, 7, 300), 8.0), ((41, 7, 300), 8.0), ((5, 3), 8.0), ((40, 7, 300), 0.0), ((120, 60), 0.3)])
def test_pooled_medians_have_the_naive_distribution(sizes, window):
    """pooled_boot_medians against resampling every value: the same
    distribution for odd and even n, ties, scales that vary a lot per sample
    (small reference cells), and with a window so narrow (0: the middle rank
    only) that most samples take the fallback path."""
    from warehouse.premium import pooled_boot_medians

    rng = np.random.default_rng(sum(sizes))
    values = [np.sort(rng.lognormal(11 + 0.2 * i, 0.4, n).round(-3)) for i, n in enumerate(sizes)]
    samples = 20_000
    # Per-cell scales as reference medians of small cells: wide, skewed, with ties.
    scales = np.column_stack([boot_medians(rng.lognormal(11 + 0.2 * i, 0.4, 15).round(-3), samples, np.random.default_rng(i))
                              for i in range(len(sizes))])
    naive = _naive_pooled(values, scales, np.random.default_rng(1))
    fast = pooled_boot_medians(values, scales, np.random.default_rng(2), window=window)
    assert _cdf_distance(naive, fast) < 0.02
    assert np.isfinite(fast).all()



@pytest.mark.parametrize("group_sets", ["all", "national"])
def test_estimates_do_not_depend_on_the_order_of_postings_or_asks(group_sets):
    """population_frames leaves postings in the order DuckDB returns them (no
    sort), so every estimate must be the same, bit for bit, under any order
    of the postings and of the asks."""
    import polars as pl

    from warehouse.premium import Settings, credential_estimates

    rng = np.random.default_rng(7)
    n = 3000
    salary = rng.lognormal(11, 0.4, n).round(-2)
    salary[rng.random(n) < 0.2] = np.nan  # postings without a salary
    postings = pl.DataFrame({
        "canonical_id": [f"p{i}" for i in range(n)],
        "soc_major": rng.choice(["15", "13", "11"], n).tolist(),
        "region": rng.choice(["US-W", "US-E"], n).tolist(),
        "salary": salary,
    }).with_columns(pl.col("salary").fill_nan(None))
    pos = rng.choice(n, 1500, replace=False)
    asks = pl.DataFrame({
        "pos": np.concatenate([pos[:900], pos[600:1500]]),
        "credential_id": ["aws-saa"] * 900 + ["comptia-sec"] * 900,
        "rank": rng.choice([1, 1, 2, 3], 1800),
    })
    s = Settings(min_n=30, ref_min_n=10, samples=200, interval=0.9, seed=0)

    def run(p, a):
        return [(k, e.premium_pct, e.ci_low_pct, e.ci_high_pct, e.n_required, e.n_reference,
                 None if e.boot is None else e.boot.tobytes())
                for k, e in credential_estimates(p, a, s, seed_parts=("order",), group_sets=group_sets)]

    want = run(postings, asks)
    assert any(r[1] is not None for r in want)  # some estimates are not suppressed
    perm = rng.permutation(n)  # new row i holds old posting perm[i]
    new_pos = np.empty(n, dtype=np.int64)
    new_pos[perm] = np.arange(n)
    shuffled = postings[perm.tolist()]
    moved = asks.with_columns(pl.Series("pos", new_pos[asks["pos"].to_numpy()])).sample(fraction=1.0, shuffle=True, seed=3)
    assert run(shuffled, moved) == want
