"""credential_inflation: per as-of week and credential, the recent window of
loaded weeks against the window before it (definitions: the table's DDL
comments and docs/methodology.md).

Global step: deletes and rebuilds the rows of the rebuilt weeks (an as-of
week depends on every loaded week up to it, and the loader rebuilds every
week from the earliest changed one on). Each window's estimates are kept in
int_window_estimates: once 78 weeks are loaded, an as-of week's prior window
is the recent window of the as-of week 26 weeks before (with fewer, the
windows are half the loaded weeks and do not repeat), so the weekly refresh
bootstraps one window, not two. A window's bootstrap is seeded by its weeks
(not by the as-of week), so a kept estimate is the one a rebuild computes. Supply is counted from
int_offerings with credential_supply_weekly's definition (active offerings
linked to a registry credential) because that table is refreshed by a later
global step (92); tests check the two agree.
"""
from __future__ import annotations

import hashlib
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import NormalDist

import numpy as np
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


def _windows_estimates(con, sides: list[list[str]], s: premium.Settings, pool: ThreadPoolExecutor) -> list[tuple[dict, dict]]:
    """(premium per credential, (asking, requiring) counts per credential) of each window in `sides`.

    Only the DuckDB reads run on this thread (one connection is not shared
    across threads, and a cursor, another connection, would not see the
    load's uncommitted transaction); each window's set-up, then PARTS parts
    of its credentials, run on the pool, the first window's starting while
    the next is read. The bootstraps are NumPy work that releases the GIL
    (the generators, searchsorted, sorts). Every estimate depends only on
    its own generators, seeded by the window's weeks, so neither the
    threads, the parts nor the as-of week can change a number.
    """
    setups = [pool.submit(_setup, premium.population_reads(con, weeks)) for weeks in sides]
    jobs = []
    for weeks, setup in zip(sides, setups):
        postings, asks, prepared, counts = setup.result()
        creds = prepared.required_anywhere
        jobs.append(([pool.submit(_premiums, postings, asks, prepared, creds[i::PARTS], s, ("inflation window", *weeks))
                      for i in range(PARTS)], counts))
    return [({c: e for j in parts for c, e in j.result().items()}, counts) for parts, counts in jobs]


# ----------------------------------------------------------------------------- kept window estimates

# The code a window's estimates come from: a change to it makes every kept estimate stale.
_CODE = hashlib.sha256(Path(premium.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()

_ESTIMATE_COLUMNS = ("n_required", "n_reference", "cells_used", "premium_pct", "ci_low_pct", "ci_high_pct",
                     "suppressed", "suppressed_reason")
_KEPT_SCHEMA = {"window_key": pl.String, "window_from": pl.String, "window_to": pl.String, "credential_id": pl.String,
                "asking": pl.Int64, "requiring": pl.Int64, "n_required": pl.Int64, "n_reference": pl.Int64,
                "cells_used": pl.Int64, "premium_pct": pl.Float64, "ci_low_pct": pl.Float64, "ci_high_pct": pl.Float64,
                "suppressed": pl.Boolean, "suppressed_reason": pl.String, "boot": pl.List(pl.Float64)}


def window_key(weeks: list[str], s: premium.Settings, credentials: list[str]) -> str:
    """Identity of a window's estimates: its weeks, the settings, the registry and the code."""
    h = hashlib.sha256()
    for part in (_CODE, repr(s), "|".join(credentials), "|".join(weeks)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:32]


def _read_kept(con, keys: list[str]) -> dict[str, tuple[dict, dict]]:
    """window_key -> (premium per credential, counts per credential) of the kept windows among `keys`."""
    kept: dict[str, tuple[dict, dict]] = {}
    if not keys:
        return kept
    df = pl.from_arrow(con.sql("SELECT * FROM int_window_estimates WHERE window_key IN (SELECT unnest(CAST(? AS VARCHAR[])))",
                               params=[keys]).to_arrow_table())
    for r in df.iter_rows(named=True):
        prem, counts = kept.setdefault(r["window_key"], ({}, {}))
        counts[r["credential_id"]] = (r["asking"], r["requiring"])
        if r["n_required"] is not None:
            prem[r["credential_id"]] = premium.Estimate(
                r["n_required"], r["n_reference"], r["cells_used"], None, None, r["premium_pct"], r["ci_low_pct"],
                r["ci_high_pct"], r["suppressed"], r["suppressed_reason"],
                None if r["boot"] is None else np.asarray(r["boot"], dtype=np.float64))
    return kept


def _kept_rows(key: str, weeks: list[str], prem: dict, counts: dict) -> list[dict]:
    out = []
    for c, (n, r) in sorted(counts.items()):
        e = prem.get(c)
        row = {"window_key": key, "window_from": weeks[0], "window_to": weeks[-1], "credential_id": c,
               "asking": n, "requiring": r, "boot": None if e is None or e.boot is None else e.boot.tolist()}
        row.update({k: None if e is None else getattr(e, k) for k in _ESTIMATE_COLUMNS})
        out.append(row)
    return out


def _shift_interval(prior: tuple[int, int], recent: tuple[int, int], interval: float) -> tuple[float, float]:
    """Normal-approximation interval (pp) of the change in the required part of asks."""
    (n0, r0), (n1, r1) = prior, recent
    p0, p1 = r0 / n0, r1 / n1
    se = math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
    z = NormalDist().inv_cdf(1 - (1 - interval) / 2)
    d = p1 - p0
    return 100 * (d - z * se), 100 * (d + z * se)


def rows(con, as_of: str, prior: list[str], recent: list[str], s: premium.Settings, cfg: dict,
         estimates: tuple[tuple[dict, dict], tuple[dict, dict]]) -> list[dict]:
    """credential_inflation rows of `as_of`; estimates: _windows_estimates' pair for (prior, recent)."""
    creds = _credentials(con)
    dem_p, dem_r = _demand(con, prior), _demand(con, recent)
    sup_p, sup_r = _supply(con, prior), _supply(con, recent)
    (prem_p, asks_p), (prem_r, asks_r) = estimates
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
    creds = _credentials(con)
    plan = {as_of: w for as_of in loaded if (w := windows(loaded, as_of, window, min_window)) is not None}
    keys = {tuple(weeks): window_key(weeks, s, creds) for w in plan.values() for weeks in w}
    # The loader rebuilds every loaded week from the earliest changed one on, so
    # a kept window ending before it saw none of its postings or mentions
    # change; windows no as-of week uses any more are dropped.
    if rebuilt:
        con.execute("DELETE FROM int_window_estimates WHERE window_to >= ?", [rebuilt[0]])
    con.execute("DELETE FROM int_window_estimates WHERE window_key NOT IN (SELECT unnest(CAST(? AS VARCHAR[])))",
                [sorted(set(keys.values()))])
    todo = [a for a in rebuilt if a in plan]
    kept = _read_kept(con, sorted({keys[tuple(weeks)] for a in todo for weeks in plan[a]}))
    new_rows: list[dict] = []
    out = []
    with ThreadPoolExecutor(2) as pool:
        for as_of in todo:
            sides = plan[as_of]
            missing = [weeks for weeks in sides if keys[tuple(weeks)] not in kept]
            for weeks, est in zip(missing, _windows_estimates(con, missing, s, pool) if missing else []):
                kept[keys[tuple(weeks)]] = est
                new_rows += _kept_rows(keys[tuple(weeks)], weeks, *est)
            out += rows(con, as_of, *sides, s, cfg, tuple(kept[keys[tuple(weeks)]] for weeks in sides))
    con.execute("DELETE FROM credential_inflation WHERE as_of_week IN (SELECT unnest(CAST(? AS VARCHAR[])))", [rebuilt])
    # Weeks no longer loaded leave no rows behind.
    con.execute("DELETE FROM credential_inflation WHERE as_of_week NOT IN (SELECT unnest(CAST(? AS VARCHAR[])))", [loaded])
    _insert(con, "credential_inflation", pl.DataFrame(out, schema=SCHEMA).sort("as_of_week", "credential_id") if out else None)
    _insert(con, "int_window_estimates", pl.DataFrame(new_rows, schema=_KEPT_SCHEMA) if new_rows else None)


def _insert(con, table: str, df: pl.DataFrame | None) -> None:
    if df is None:
        return
    con.register("_inflation_rows", df.to_arrow())
    con.execute(f"INSERT INTO {table} SELECT * FROM _inflation_rows")
    con.unregister("_inflation_rows")
