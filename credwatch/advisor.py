"""`credwatch gap`: skills-gap analysis for a role from the published marts.

Input: a role (job title, coded to an O*NET-SOC occupation with
transforms.occupation, or a SOC code / 2-digit major group), the skills the
person has, a region and a window in weeks. Output: the credentials asked for
in that role's SOC major group, ranked by a score whose weights live in
config/advisor.yml, each with the numbers behind it and one line saying why:

- demand: trailing 4-week demand share in the role's cell at the latest week
  (credential_demand_weekly.demand_share_4wk);
- growth: change of that share since the first loaded week of the window, pp;
- salary premium with its bootstrap 90 % interval (credential_value_weekly:
  the role's cell, else the pooled ALL x ALL row; suppressed cells are
  "unknown", never zero);
- inflation flag and its reasons (credential_inflation);
- recognition: distinct employers asking (credential_demand_weekly.employers);
- supply: providers, median price (USD) and hours (credential_supply_weekly,
  latest week with catalog data);
- skills it adds that the person lacks (dim_credential.related_skills, plus
  the skills that co-occur with it most by lift where
  skill_credential_cooccurrence is published);
- stack path (dim_credential.stacks_into).

Marts not yet published make their term "unknown" and add a note; they never
make the command fail.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from credwatch.query import QueryError, arrow, columns, connect, has_table, latest_week, major_title, resolve_role
from credwatch.settings import load_config
from credwatch.weeks import shift


@dataclass
class Recommendation:
    credential_id: str
    name: str
    issuer: str | None
    demand_share: float
    demand_share_4wk: float
    growth_pp: float | None
    trend: str
    required_share: float | None
    employers: int | None
    premium_pct: float | None = None
    premium_low_pct: float | None = None
    premium_high_pct: float | None = None
    premium_scope: str | None = None
    inflating: bool | None = None
    inflation_reasons: str | None = None
    providers: int | None = None
    offerings: int | None = None
    median_price_usd: float | None = None
    median_hours: float | None = None
    skills_added: list[str] = field(default_factory=list)
    skills_had: list[str] = field(default_factory=list)
    stacks_into: list[str] = field(default_factory=list)
    score: float = 0.0
    terms: dict = field(default_factory=dict)
    why: str = ""


def _pct_ranks(values: list[float | None]) -> list[float]:
    """Percentile rank in [0, 1] (ties share their mean rank; None ranks lowest)."""
    keyed = [(-1e18 if v is None else v) for v in values]
    n = len(keyed)
    if n <= 1:
        return [1.0] * n
    order = sorted(range(n), key=lambda i: keyed[i])
    ranks = [0.0] * n
    i = 0
    while i < n:
        j = i
        while j + 1 < n and keyed[order[j + 1]] == keyed[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 / (n - 1)
        i = j + 1
    return ranks


def _norm(s: str) -> str:
    return " ".join(str(s).lower().replace("-", " ").split())


def _skill_taxonomy() -> tuple[dict[str, str], dict[str, str]]:
    """(alias (normalised) → skill id, skill id → name) from the skills
    taxonomy, so "AWS" and "Amazon Web Services" count as the same skill.
    Empty when the taxonomy file is absent."""
    import polars as pl

    from transforms.skills import taxonomy_dir

    path = taxonomy_dir() / "skills.csv.gz"
    if not path.exists():
        return {}, {}
    d = pl.read_csv(path, columns=["skill_id", "skill_name", "alias"])
    pairs = d.select(pl.col("alias").alias("a"), "skill_id").vstack(d.select(pl.col("skill_name").alias("a"), "skill_id"))
    aliases: dict[str, str] = {}
    for a, sid in pairs.sort("a", "skill_id").iter_rows():
        if a:
            aliases.setdefault(_norm(a), sid)
    names = dict(d.select("skill_id", "skill_name").unique("skill_id").iter_rows())
    for sid in names:
        aliases.setdefault(_norm(sid), sid)
    return aliases, names


def parse_have(have: str | list[str] | None) -> list[str]:
    if not have:
        return []
    items = have if isinstance(have, list) else have.split(",")
    return [h.strip() for h in items if h and h.strip()]


def gap(role: str, have: str | list[str] | None = None, region: str = "ALL", weeks: int = 12, limit: int = 10,
        db: Path | None = None, progress=None) -> dict:
    """Rank credentials for `role`. Returns {"role", "week", "cell", "recommendations": [...], "notes": [...]}.

    `progress(step: str)` is called before each step (the CLI's progress bar)."""
    step = progress or (lambda _s: None)
    cfg = load_config("advisor")
    if weeks < 1:
        raise QueryError("--weeks must be at least 1")
    if limit < 1:
        raise QueryError("--limit must be at least 1")
    region = "ALL" if (region or "ALL").strip().upper() == "ALL" else region.strip().upper()
    have_list = parse_have(have)
    step("coding the role")
    soc, label, soc_code = resolve_role(role)
    group = f"SOC {soc} ({major_title(soc) or 'unknown group'})"
    notes: list[str] = []
    with connect(db) as con:
        if not has_table(con, "credential_demand_weekly", "demand_share_4wk", "employers"):
            raise RuntimeError("the published database has no credential_demand_weekly; rerun `credwatch publish`")
        week = latest_week(con)
        if week is None:
            raise RuntimeError("the published database has no weeks yet; run the pipeline for at least one week")
        start = shift(week, -weeks)
        step("reading demand")
        cell_rows = con.execute(
            "SELECT count(*) FROM credential_demand_weekly WHERE week = ? AND soc_major = ? AND region = ?",
            [week, soc, region],
        ).fetchone()[0]
        if not cell_rows:
            raise QueryError(
                f"no postings for {label} (SOC major {soc}) in region {region} in {week}; "
                f"try --region ALL or another role"
            )
        demand = con.execute(
            """WITH t AS (
                   SELECT credential_id, week, demand_share, demand_share_4wk, required_share, employers
                   FROM credential_demand_weekly
                   WHERE soc_major = ? AND region = ? AND week BETWEEN ? AND ?),
               f AS (SELECT credential_id, arg_min(demand_share_4wk, week) AS s0, min(week) AS w0 FROM t GROUP BY 1)
               SELECT t.credential_id, coalesce(d.name, t.credential_id), d.issuer, t.demand_share, t.demand_share_4wk,
                      CASE WHEN f.w0 < t.week THEN 100 * (t.demand_share_4wk - f.s0) END,
                      t.required_share, t.employers, d.related_skills, d.stacks_into
               FROM t JOIN f USING (credential_id) LEFT JOIN dim_credential d USING (credential_id)
               WHERE t.week = ? AND t.demand_share_4wk >= ?
               ORDER BY t.demand_share_4wk DESC, t.credential_id""",
            [soc, region, start, week, week, cfg["min_demand_share"]],
        ).fetchall()
        if not demand:
            raise QueryError(f"no credential is asked for in {label}, region {region}, in {week}; try --region ALL")
        recs = [
            Recommendation(credential_id=r[0], name=r[1], issuer=r[2], demand_share=r[3], demand_share_4wk=r[4],
                           growth_pp=r[5], trend=arrow(r[5], cfg["flat_pp"]), required_share=r[6], employers=r[7],
                           stacks_into=list(r[9] or []))
            for r in demand
        ]
        related = {r[0]: list(r[8] or []) for r in demand}
        ids = [r.credential_id for r in recs]
        step("salary premium")
        _premium(con, recs, week, soc, region, notes)
        step("inflation")
        _inflation(con, recs, week, notes)
        step("supply")
        _supply(con, recs, week, notes)
        step("skills and stack path")
        cooc = _cooccurring(con, ids, soc, week, notes)
        names = dict(con.execute("SELECT credential_id, name FROM dim_credential").fetchall())
    step("ranking")
    aliases, skill_names = _skill_taxonomy()
    have_ids = {aliases.get(_norm(h), _norm(h)) for h in have_list}
    for r in recs:
        seen: set[str] = set()
        for s in related.get(r.credential_id, []) + cooc.get(r.credential_id, []):
            key = aliases.get(_norm(s), _norm(s))
            if key in seen:
                continue
            seen.add(key)
            shown = skill_names.get(s, s)  # co-occurrence rows carry skill ids
            (r.skills_had if key in have_ids else r.skills_added).append(shown)
        r.stacks_into = [names.get(c, c) for c in r.stacks_into]
    _score(recs, cfg)
    recs.sort(key=lambda r: (-r.score, -r.demand_share_4wk, r.credential_id))
    for r in recs:
        r.why = _why(r, group)
    return {
        "role": role, "occupation": label, "group": group, "soc_major": soc, "soc_code": soc_code, "region": region,
        "week": week, "since": start, "have": have_list,
        "recommendations": [asdict(r) for r in recs[:limit]], "candidates": len(recs), "notes": notes,
    }


def _premium(con, recs: list[Recommendation], week: str, soc: str, region: str, notes: list[str]) -> None:
    need = ("premium_pct", "premium_ci_low_pct", "premium_ci_high_pct", "suppressed")
    if not has_table(con, "credential_value_weekly", *need):
        notes.append("salary premium: credential_value_weekly is not published yet (premium unknown)")
        return
    rows = con.execute(
        """SELECT credential_id, soc_major, region, premium_pct, premium_ci_low_pct, premium_ci_high_pct
           FROM credential_value_weekly
           WHERE week = ? AND NOT suppressed AND ((soc_major = ? AND region = ?) OR (soc_major = 'ALL' AND region = 'ALL'))""",
        [week, soc, region],
    ).fetchall()
    best: dict[str, tuple] = {}
    for cid, s, g, p, lo, hi in rows:
        cell = (s, g) == (soc, region)
        if cid not in best or cell:
            best[cid] = (p, lo, hi, f"SOC {soc} × {region}" if cell else "all occupations pooled")
    for r in recs:
        if r.credential_id in best:
            r.premium_pct, r.premium_low_pct, r.premium_high_pct, r.premium_scope = best[r.credential_id]


def _inflation(con, recs: list[Recommendation], week: str, notes: list[str]) -> None:
    """The inflation flag of the latest as-of week; also the recent window's
    pooled premium for credentials whose weekly premium is suppressed (a
    window pools more postings than one week)."""
    cols = columns(con, "credential_inflation")
    if not {"credential_id", "inflating"} <= cols:
        notes.append("inflation: credential_inflation is not published yet (flag unknown)")
        return
    reason = next((c for c in ("inflating_reasons", "reasons") if c in cols), None)
    order = next((c for c in ("as_of_week", "week") if c in cols), None)
    window = {"premium_recent_pct", "recent_from", "recent_to"} <= cols
    sel = (f"credential_id, inflating, {reason or 'NULL'}, "
           + ("premium_recent_pct, recent_from, recent_to" if window else "NULL, NULL, NULL"))
    sql = f"SELECT {sel} FROM credential_inflation"
    params: list = []
    if order:
        sql += f" WHERE {order} <= ? QUALIFY row_number() OVER (PARTITION BY credential_id ORDER BY {order} DESC) = 1"
        params.append(week)
    rows = {r[0]: r[1:] for r in con.execute(sql, params).fetchall()}
    if not rows:
        notes.append("inflation: no credential_inflation rows yet (too few weeks loaded for its windows)")
    for r in recs:
        if r.credential_id not in rows:
            continue
        flag, why, prem, rfrom, rto = rows[r.credential_id]
        r.inflating = bool(flag) if flag is not None else None
        r.inflation_reasons = ("; ".join(map(str, why)) if isinstance(why, list) else why) or None
        if r.premium_pct is None and prem is not None:
            r.premium_pct, r.premium_scope = prem, f"all occupations pooled over {rfrom}..{rto}"


def _supply(con, recs: list[Recommendation], week: str, notes: list[str]) -> None:
    if not has_table(con, "credential_supply_weekly", "providers", "median_price_usd", "median_hours"):
        notes.append("supply: credential_supply_weekly is not published (providers unknown)")
        return
    rows = con.execute(
        """SELECT credential_id, providers, active_offerings, median_price_usd, median_hours
           FROM credential_supply_weekly WHERE week <= ?
           QUALIFY row_number() OVER (PARTITION BY credential_id ORDER BY week DESC) = 1""",
        [week],
    ).fetchall()
    by = {r[0]: r[1:] for r in rows}
    for r in recs:
        if r.credential_id in by:
            r.providers, r.offerings, r.median_price_usd, r.median_hours = by[r.credential_id]


def _cooccurring(con, ids: list[str], soc: str, week: str, notes: list[str], per: int = 3) -> dict[str, list[str]]:
    """Top skills by lift that travel with each credential (where published)."""
    cols = columns(con, "skill_credential_cooccurrence")
    if not cols:
        notes.append("skills: skill_credential_cooccurrence is not published yet (related skills from the registry only)")
        return {}
    skill = next((c for c in ("skill_name", "skill", "skill_id") if c in cols), None)
    if not skill or not {"credential_id", "lift"} <= cols:
        notes.append("skills: skill_credential_cooccurrence lacks credential_id/skill/lift columns; not used")
        return {}
    where, params = ["credential_id IN (SELECT unnest(?))", "lift > 1"], [ids]
    if "week" in cols:
        where.append("week = (SELECT max(week) FROM skill_credential_cooccurrence WHERE week <= ?)")
        params.append(week)
    if "soc_major" in cols:
        where.append("soc_major = 'ALL'")
    if "region" in cols:
        where.append("region = 'ALL'")
    name = skill
    join = ""
    if skill == "skill_id" and {"skill_id", "name"} <= columns(con, "dim_skill"):
        name, join = "coalesce(s.name, c.skill_id)", "LEFT JOIN dim_skill s USING (skill_id)"
    rows = con.execute(
        f"""SELECT credential_id, {name} FROM skill_credential_cooccurrence c {join}
            WHERE {' AND '.join(where)}
            QUALIFY row_number() OVER (PARTITION BY credential_id ORDER BY lift DESC, {name}) <= {per}""",
        params,
    ).fetchall()
    out: dict[str, list[str]] = {}
    for cid, s in rows:
        out.setdefault(cid, []).append(s)
    return out


def _premium_term(r: Recommendation, terms: dict) -> float:
    if r.premium_pct is None:
        return terms["unknown"]
    if r.premium_pct <= 0:
        return terms["not_positive"]
    if r.premium_low_pct is not None and r.premium_low_pct > 0:
        return terms["interval_above_zero"]
    return terms["positive_uncertain"]


def _score(recs: list[Recommendation], cfg: dict) -> None:
    w = cfg["weights"]
    demand = _pct_ranks([r.demand_share_4wk for r in recs])
    growth = _pct_ranks([r.growth_pp for r in recs])
    recog = _pct_ranks([r.employers for r in recs])
    for i, r in enumerate(recs):
        total = len(r.skills_added) + len(r.skills_had)
        t = {
            "demand": demand[i],
            "growth": growth[i],
            "premium": _premium_term(r, cfg["premium_terms"]),
            "recognition": recog[i],
            "skills_added": len(r.skills_added) / total if total else 0.0,
        }
        score = sum(w[k] * v for k, v in t.items())
        if r.inflating:
            score -= cfg["inflating_penalty"]
            t["inflating_penalty"] = -cfg["inflating_penalty"]
        r.terms = {k: round(v, 3) for k, v in t.items()}
        r.score = round(score, 4)


def _why(r: Recommendation, group: str) -> str:
    parts = [f"asked for by {r.demand_share_4wk:.1%} of {group} postings"]
    if r.growth_pp is not None:
        parts[-1] += f" ({r.trend} {r.growth_pp:+.1f} pp)"
    if r.premium_pct is not None:
        iv = f" [{r.premium_low_pct:+.0f}%, {r.premium_high_pct:+.0f}%]" if r.premium_low_pct is not None else ""
        scope = "" if (r.premium_scope or "").startswith("SOC") else f" ({r.premium_scope})"
        parts.append(f"pays {r.premium_pct:+.0f}%{iv}{scope}")
    if r.employers:
        parts.append(f"{r.employers} employers")
    if r.providers:
        price = f", median ${r.median_price_usd:,.0f}" if r.median_price_usd is not None else ""
        parts.append(f"{r.providers} providers{price}")
    if r.skills_added:
        parts.append("adds " + ", ".join(r.skills_added[:3]))
    if r.stacks_into:
        parts.append("leads to " + ", ".join(r.stacks_into[:2]))
    line = "; ".join(parts)
    if r.inflating:
        line = "⚠ inflating" + (f" ({r.inflation_reasons})" if r.inflation_reasons else "") + " — " + line
    return line


def render(result: dict, console) -> None:
    """Print a gap result as a rich table plus one 'why' line per credential."""
    from rich.table import Table

    console.print(
        f"[bold]{result['occupation']}[/bold] → demand of {result['group']} · region {result['region']} · week {result['week']} "
        f"(growth since {result['since']}) · {result['candidates']} credential(s) asked for"
    )
    if result["have"]:
        console.print("you have: " + ", ".join(result["have"]))
    t = Table(show_lines=False, header_style="bold")
    for c in ("#", "credential", "demand", "trend", "premium [90% CI]", "inflating", "employers", "supply",
              "adds skills", "leads to"):
        t.add_column(c, overflow="fold")
    for i, r in enumerate(result["recommendations"], 1):
        prem = "unknown"
        if r["premium_pct"] is not None:
            prem = f"{r['premium_pct']:+.0f}%"
            if r["premium_low_pct"] is not None:
                prem += f" [{r['premium_low_pct']:+.0f}, {r['premium_high_pct']:+.0f}]"
        supply = "—"
        if r["providers"] is not None:
            supply = f"{r['providers']} prov."
            if r["median_price_usd"] is not None:
                supply += f", ${r['median_price_usd']:,.0f}"
            if r["median_hours"] is not None:
                supply += f", {r['median_hours']:.0f} h"
        infl = {True: "[red]yes[/red]", False: "no", None: "?"}[r["inflating"]]
        growth = "" if r["growth_pp"] is None else f" {r['growth_pp']:+.1f}pp"
        t.add_row(str(i), r["name"], f"{r['demand_share_4wk']:.1%}", r["trend"] + growth, prem, infl,
                  str(r["employers"] or 0), supply, ", ".join(r["skills_added"][:4]) or "—",
                  ", ".join(r["stacks_into"][:3]) or "—")
    console.print(t)
    for i, r in enumerate(result["recommendations"], 1):
        console.print(f"{i}. [bold]{r['name']}[/bold]: {r['why']}")
    for n in result["notes"]:
        console.print(f"[dim]note: {n}[/dim]")
