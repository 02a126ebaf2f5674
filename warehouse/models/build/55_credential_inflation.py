"""credential_inflation: per as-of week and credential, the recent window of
loaded weeks against the window before it (definitions: the table's DDL
comments and docs/methodology.md).

Global step: deletes and rebuilds the rows of the rebuilt weeks (an as-of
week depends on every loaded week up to it, and the loader rebuilds every
week from the earliest changed one on). Supply is counted from
int_offerings with credential_supply_weekly's definition (active offerings
linked to a registry credential) because that table is refreshed by a later
global step (92); tests check the two agree.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from statistics import NormalDist

import polars as pl

from credwatch.settings import load_config
from warehouse import premium

SCOPE = "global"

SCHEMA = {
    "as_of_week": pl.String, "credential_id": pl.String, "window_weeks": pl.Int64,
    "recent_from": pl.String, "recent_to": pl.String, "prior_from": pl.String, "prior_to": pl.String,
    "demand_share_prior": pl.Float64, "demand_share_recent": pl.Float64, "demand_change_pp": pl.Float64,
    "required_share_prior": pl.Float64, "required_share_recent": pl.Float64, "required_share_change_pp": pl.Float64,
    "required_of_asks_prior": pl.Float64, "required_of_asks_recent": pl.Float64, "required_of_asks_change_pp": pl.Float64,
    "required_of_asks_change_ci_low_pp": pl.Float64, "required_of_asks_change_ci_high_pp": pl.Float64,
    "supply_prior": pl.Float64, "supply_recent": pl.Float64, "supply_change_pct": pl.Float64,
    "n_required_prior": pl.Int64, "n_required_recent": pl.Int64,
    "premium_prior_pct": pl.Float64, "premium_recent_pct": pl.Float64, "premium_change_pp": pl.Float64,
    "premium_change_ci_low_pp": pl.Float64, "premium_change_ci_high_pp": pl.Float64,
    "demand_rising": pl.Boolean, "supply_rising": pl.Boolean, "premium_falling": pl.Boolean,
    "required_to_preferred": pl.Boolean, "inflating": pl.Boolean, "inflating_reasons": pl.String,
}


def windows(loaded: list[str], as_of: str, window: int, min_window: int) -> tuple[list[str], list[str]] | None:
    """(prior, recent) loaded weeks for `as_of`, or None when shorter than min_window."""
    upto = sorted(w for w in loaded if w <= as_of)
    k = min(window, len(upto) // 2)
    if k < max(1, min_window):
        return None
    return upto[-2 * k:-k], upto[-k:]


def _demand(con, weeks: list[str]) -> dict[str, tuple[float, float]]:
    """credential -> (mean demand_share, mean required_share) over `weeks`, ALL x ALL."""
    # Means taken here, in week order, so reruns add the same doubles in the same order.
    acc: dict[str, list[tuple[float, float]]] = {}
    for c, d, r in con.execute("""
        SELECT credential_id, demand_share, required_share FROM credential_demand_weekly
        WHERE soc_major = 'ALL' AND region = 'ALL' AND week IN (SELECT unnest(CAST(? AS VARCHAR[])))
        ORDER BY credential_id, week""", [weeks]).fetchall():
        acc.setdefault(c, []).append((d, r))
    return {c: (sum(d for d, _ in v) / len(weeks), sum(r for _, r in v) / len(weeks)) for c, v in acc.items()}


def _supply(con, weeks: list[str]) -> dict[str, float] | None:
    """credential -> mean active offerings over the weeks with catalog data; None when none has."""
    catalog_weeks = [r[0] for r in con.execute(
        "SELECT DISTINCT week FROM int_offerings WHERE week IN (SELECT unnest(CAST(? AS VARCHAR[]))) ORDER BY 1",
        [weeks]).fetchall()]
    if not catalog_weeks:
        return None
    counts = dict(con.execute("""
        SELECT o.credential_id, count(*) FROM int_offerings o JOIN dim_credential d USING (credential_id)
        WHERE coalesce(o.status, 'active') = 'active' AND o.week IN (SELECT unnest(CAST(? AS VARCHAR[])))
        GROUP BY o.credential_id""", [catalog_weeks]).fetchall())
    return {c: counts.get(c, 0) / len(catalog_weeks) for c in _credentials(con)}


def _credentials(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT credential_id FROM dim_credential ORDER BY 1").fetchall()]


# Parts of a window's credentials estimated as separate tasks: with two per
# window on two threads, the recent window's bootstrap ran alone on one core
# after the prior window's finished; four interleaved parts keep both busy.
PARTS = 4


def _setup(reads):
    """A window's population (premium.population_reads' frames), its estimate
    set-up, and (asking, requiring) unique postings per credential."""
    postings, asks = premium.population_frames(*reads)
    counts = {c: (n, r) for c, n, r in asks.group_by("credential_id").agg(
        pl.len(), (pl.col("rank") == 1).sum()).iter_rows()}
    return postings, asks, premium.prepare(postings, asks), counts


def _premiums(postings, asks, prepared, credentials: list[str], s: premium.Settings, parts: tuple) -> dict:
    """Pooled (ALL x ALL) premium estimate of each of `credentials` over a window."""
    return {key["credential_id"]: e for key, e in premium.credential_estimates(
        postings, asks, s, seed_parts=parts, group_sets="national", credentials=credentials, medians=False,
        prepared=prepared)}


def _windows_estimates(con, prior: list[str], recent: list[str], s: premium.Settings, as_of: str, pool: ThreadPoolExecutor):
    """(premium per credential, (asking, requiring) counts per credential) of both windows.

    Only the DuckDB reads run on this thread (one connection is not shared
    across threads, and a cursor, another connection, would not see the
    load's uncommitted transaction); each window's set-up, then PARTS parts
    of its credentials, run on the pool, the prior window's starting while
    the recent window is read. The bootstraps are NumPy work that releases
    the GIL (the generators, searchsorted, sorts). Every estimate depends
    only on its own seeded generators, so neither the threads nor the parts
    can change a number.
    """
    setups = [pool.submit(_setup, premium.population_reads(con, weeks)) for weeks in (prior, recent)]
    jobs = []
    for side, setup in zip(("prior", "recent"), setups):
        postings, asks, prepared, counts = setup.result()
        creds = prepared.required_anywhere
        jobs.append(([pool.submit(_premiums, postings, asks, prepared, creds[i::PARTS], s, ("inflation", as_of, side))
                      for i in range(PARTS)], counts))
    return [({c: e for j in parts for c, e in j.result().items()}, counts) for parts, counts in jobs]


def _shift_interval(prior: tuple[int, int], recent: tuple[int, int], interval: float) -> tuple[float, float]:
    """Normal-approximation interval (pp) of the change in the required part of asks."""
    (n0, r0), (n1, r1) = prior, recent
    p0, p1 = r0 / n0, r1 / n1
    se = math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
    z = NormalDist().inv_cdf(1 - (1 - interval) / 2)
    d = p1 - p0
    return 100 * (d - z * se), 100 * (d + z * se)


def rows(con, as_of: str, prior: list[str], recent: list[str], s: premium.Settings, cfg: dict,
         pool: ThreadPoolExecutor) -> list[dict]:
    creds = _credentials(con)
    dem_p, dem_r = _demand(con, prior), _demand(con, recent)
    sup_p, sup_r = _supply(con, prior), _supply(con, recent)
    (prem_p, asks_p), (prem_r, asks_r) = _windows_estimates(con, prior, recent, s, as_of, pool)
    min_demand = float(cfg.get("inflation_min_demand_change_pp", 0.5))
    min_supply = float(cfg.get("inflation_min_supply_change_pct", 10))
    shift_pp = float(cfg.get("inflation_required_shift_pp", 10))
    out = []
    for c in creds:
        dp, rp = dem_p.get(c, (0.0, 0.0))
        dr, rr = dem_r.get(c, (0.0, 0.0))
        # Required part of the asks, over the unique postings asking for it in each window.
        ap, ar = asks_p.get(c), asks_r.get(c)
        roa_p = ap[1] / ap[0] if ap else None
        roa_r = ar[1] / ar[0] if ar else None
        roa_change = roa_lo = roa_hi = None
        if ap and ar:
            roa_change = 100 * (roa_r - roa_p)
            roa_lo, roa_hi = _shift_interval(ap, ar, s.interval)
        supp_p = sup_p.get(c) if sup_p is not None else None
        supp_r = sup_r.get(c) if sup_r is not None else None
        supply_pct = 100 * (supp_r / supp_p - 1) if supp_p and supp_r is not None else None
        if supp_p is None or supp_r is None:
            supply_rising = None
        else:
            supply_rising = supp_r > 0 if supp_p == 0 else supply_pct >= min_supply
        ep, er = prem_p.get(c), prem_r.get(c)
        change = lo = hi = None
        if ep is not None and er is not None and not ep.suppressed and not er.suppressed:
            change = er.premium_pct - ep.premium_pct
            lo, hi = premium.difference_interval(er.boot, ep.boot, s.interval)
        demand_pp = 100 * (dr - dp)
        demand_rising = demand_pp >= min_demand
        premium_falling = None if change is None else hi < 0
        shift = None if roa_change is None else (roa_change <= -shift_pp and roa_hi < 0)
        inflating = bool(demand_rising and supply_rising and (premium_falling or shift))
        reasons = None
        if inflating:
            parts = [f"demand share {demand_pp:+.1f} pp ({100 * dp:.1f}% -> {100 * dr:.1f}%)",
                     f"supply {supp_p:.1f} -> {supp_r:.1f} offerings"
                     + (f" ({supply_pct:+.0f}%)" if supply_pct is not None else "")]
            if premium_falling:
                parts.append(f"premium {change:+.1f} pp ({ep.premium_pct:.1f}% -> {er.premium_pct:.1f}%, "
                             f"{100 * s.interval:.0f}% interval {lo:+.1f}..{hi:+.1f} pp)")
            if shift:
                parts.append(f"required part of asks {roa_change:+.1f} pp ({100 * roa_p:.0f}% of {ap[0]} -> "
                             f"{100 * roa_r:.0f}% of {ar[0]} postings, {100 * s.interval:.0f}% interval "
                             f"{roa_lo:+.1f}..{roa_hi:+.1f} pp)")
            reasons = "; ".join(parts)
        out.append({
            "as_of_week": as_of, "credential_id": c, "window_weeks": len(recent),
            "recent_from": recent[0], "recent_to": recent[-1], "prior_from": prior[0], "prior_to": prior[-1],
            "demand_share_prior": dp, "demand_share_recent": dr, "demand_change_pp": demand_pp,
            "required_share_prior": rp, "required_share_recent": rr, "required_share_change_pp": 100 * (rr - rp),
            "required_of_asks_prior": roa_p, "required_of_asks_recent": roa_r, "required_of_asks_change_pp": roa_change,
            "required_of_asks_change_ci_low_pp": roa_lo, "required_of_asks_change_ci_high_pp": roa_hi,
            "supply_prior": supp_p, "supply_recent": supp_r, "supply_change_pct": supply_pct,
            "n_required_prior": ep.n_required if ep else 0, "n_required_recent": er.n_required if er else 0,
            "premium_prior_pct": ep.premium_pct if ep else None, "premium_recent_pct": er.premium_pct if er else None,
            "premium_change_pp": change, "premium_change_ci_low_pp": lo, "premium_change_ci_high_pp": hi,
            "demand_rising": demand_rising, "supply_rising": supply_rising, "premium_falling": premium_falling,
            "required_to_preferred": shift, "inflating": inflating, "inflating_reasons": reasons,
        })
    return out


def build(con, params: dict) -> None:
    cfg = load_config("marts")
    window = int(cfg.get("inflation_window_weeks", 26))
    min_window = int(cfg.get("inflation_min_window_weeks", 4))
    s = premium.settings()
    loaded = sorted(params["loaded_weeks"])
    rebuilt = sorted(params["rebuilt_weeks"])
    out = []
    with ThreadPoolExecutor(2) as pool:
        for as_of in rebuilt:
            w = windows(loaded, as_of, window, min_window)
            if w is not None:
                out += rows(con, as_of, *w, s, cfg, pool)
    con.execute("DELETE FROM credential_inflation WHERE as_of_week IN (SELECT unnest(CAST(? AS VARCHAR[])))", [rebuilt])
    # Weeks no longer loaded leave no rows behind.
    con.execute("DELETE FROM credential_inflation WHERE as_of_week NOT IN (SELECT unnest(CAST(? AS VARCHAR[])))", [loaded])
    if out:
        df = pl.DataFrame(out, schema=SCHEMA).sort("as_of_week", "credential_id")
        con.register("_credential_inflation_rows", df.to_arrow())
        con.execute("INSERT INTO credential_inflation SELECT * FROM _credential_inflation_rows")
        con.unregister("_credential_inflation_rows")
