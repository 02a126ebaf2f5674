"""`credwatch report`: a self-contained static HTML dashboard of the published marts.

One file, <warehouse>/reports/dashboard/index.html, that works offline and
without a server: the Vega, Vega-Lite and vega-embed builds are inlined from
credwatch/dashboard/vendor/ (BSD-3-Clause, see vendor/README.md) and every
chart's data is embedded in its Vega-Lite spec (made with Altair).

Charts: demand trends per credential; the inflation quadrant (change in
prevalence vs change in premium); supply vs demand; degree requirements and
the credential gap by occupation; source health. Tooltips carry the column
definitions, read from the database's COMMENT ON (the same text as
docs/data-dictionary.md). A chart whose mart is not published yet, or is
empty, says "no data yet" instead of failing.

The database is opened read-only, so building the dashboard never blocks a
refresh (see warehouse/publish.py).
"""
from __future__ import annotations

import datetime as dt
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from credwatch.query import columns, connect, has_table, latest_week
from credwatch.settings import paths

VENDOR = Path(__file__).resolve().parent / "vendor"
TEMPLATES = Path(__file__).resolve().parent / "templates"
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
TOP_CREDENTIALS = 8
# Occupation groups with fewer active postings than this are left out of the
# degree chart: a share of a handful of postings is noise, not a requirement.
MIN_GROUP_POSTINGS = 20


@dataclass
class Chart:
    """One dashboard panel: a Vega-Lite spec, or the reason it has no data."""

    key: str
    title: str
    description: str
    spec: dict | None = None
    empty_reason: str | None = None
    table: str = ""
    rows: int = 0
    notes: list[str] = field(default_factory=list)


def dashboard_path() -> Path:
    return paths().warehouse / "reports" / "dashboard" / "index.html"


def _definitions(con, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? AND comment IS NOT NULL", [table]
    ).fetchall()
    return dict(rows)


def _records(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = {}
        for c, v in zip(cols, row):
            if isinstance(v, (dt.date, dt.datetime)):
                v = v.isoformat()
            elif isinstance(v, float) and v != v:  # NaN is not JSON
                v = None
            rec[c] = v
        out.append(rec)
    return out


def _tip(field_: str, title: str, fmt: str | None = None, type_: str = "quantitative") -> dict:
    t = {"field": field_, "type": type_, "title": title}
    if fmt:
        t["format"] = fmt
    return t


def _with_definitions(records: list[dict], defs: dict[str, str], mapping: dict[str, str]) -> list[dict]:
    """Add `def_<name>` fields (the column definitions) so tooltips show them."""
    for r in records:
        for name, col in mapping.items():
            r[f"def_{name}"] = defs.get(col, "")
    return records


# --------------------------------------------------------------------- charts


def demand_trends(con) -> Chart:
    import altair as alt

    ch = Chart("demand", "Demand trends per credential",
               "Trailing 4-week demand share (all occupations, all regions) of the credentials most asked for in the "
               "latest week. Hover a line for the definitions.", table="credential_demand_weekly")
    if not has_table(con, "credential_demand_weekly", "demand_share_4wk", "demand_share"):
        ch.empty_reason = "credential_demand_weekly is not published yet"
        return ch
    week = latest_week(con)
    defs = _definitions(con, "credential_demand_weekly")
    recs = _records(con, f"""
        WITH top AS (
            SELECT credential_id FROM credential_demand_weekly
            WHERE week = ? AND soc_major = 'ALL' AND region = 'ALL' AND demand_share_4wk > 0
            ORDER BY demand_share_4wk DESC, credential_id LIMIT {TOP_CREDENTIALS})
        SELECT m.week, w.week_start, coalesce(d.name, m.credential_id) AS credential, m.credential_id,
               m.demand_share, m.demand_share_4wk, m.required_share, m.demand_index, m.mentioning_postings,
               m.active_postings
        FROM credential_demand_weekly m JOIN top USING (credential_id)
        JOIN dim_week w USING (week) LEFT JOIN dim_credential d USING (credential_id)
        WHERE m.soc_major = 'ALL' AND m.region = 'ALL' ORDER BY m.week, credential""", [week])
    ch.rows = len(recs)
    if not recs:
        ch.empty_reason = "no credential was asked for yet"
        return ch
    _with_definitions(recs, defs, {"share": "demand_share", "share4": "demand_share_4wk", "index": "demand_index"})
    base = alt.Chart(alt.Data(values=recs)).encode(
        x=alt.X("week_start:T", title="week (Monday)", axis=alt.Axis(format="%d %b %Y", labelAngle=-30)),
        y=alt.Y("demand_share_4wk:Q", title="demand share, trailing 4 weeks", axis=alt.Axis(format="%")),
        color=alt.Color("credential:N", title="credential", legend=alt.Legend(orient="bottom", columns=2, labelLimit=320)),
        tooltip=[
            _tip("credential", "credential", type_="nominal"), _tip("week", "ISO week", type_="nominal"),
            _tip("demand_share_4wk", "demand share (4 wk)", ".1%"), _tip("def_share4", "definition", type_="nominal"),
            _tip("demand_share", "demand share (week)", ".1%"), _tip("def_share", "definition", type_="nominal"),
            _tip("mentioning_postings", "postings asking"), _tip("active_postings", "active postings"),
            _tip("demand_index", "demand index", ".0f"), _tip("def_index", "definition", type_="nominal"),
        ],
    )
    ch.spec = (base.mark_line(point=True)).properties(width="container", height=320).to_dict()
    return ch


def inflation_quadrant(con) -> Chart:
    import altair as alt

    ch = Chart("inflation", "Inflation quadrant",
               "Each credential's change in prevalence (demand share, pp) against its change in salary premium (pp), "
               "trailing window vs the one before (credential_inflation). Bottom right = more common but paying less: "
               "inflating.", table="credential_inflation")
    cols = columns(con, "credential_inflation")
    x = _pick(cols, "demand_share_change_pp", "change_demand_share_pp", "delta_demand_share_pp", "demand_change_pp")
    y = _pick(cols, "premium_change_pp", "change_premium_pp", "delta_premium_pp")
    if not cols:
        ch.empty_reason = "credential_inflation is not published yet"
        return ch
    if not (x and y and "credential_id" in cols):
        ch.empty_reason = "credential_inflation has no change-in-demand / change-in-premium columns"
        return ch
    flag = "inflating" if "inflating" in cols else "NULL"
    reasons = _pick(cols, "reasons", "inflating_reasons", "reason", "flag_reasons")
    order = _pick(cols, "week", "as_of_week", "window_end")
    sql = f"""SELECT i.credential_id, coalesce(d.name, i.credential_id) AS credential, i.{x} AS demand_change_pp,
                     i.{y} AS premium_change_pp, {flag} AS inflating, {('i.' + reasons) if reasons else 'NULL'} AS reasons
              FROM credential_inflation i LEFT JOIN dim_credential d USING (credential_id)
              WHERE i.{x} IS NOT NULL AND i.{y} IS NOT NULL"""
    if order:
        sql += f" QUALIFY row_number() OVER (PARTITION BY i.credential_id ORDER BY i.{order} DESC) = 1"
    recs = _records(con, sql)
    for r in recs:
        if isinstance(r["reasons"], list):
            r["reasons"] = "; ".join(map(str, r["reasons"]))
        r["status"] = "inflating" if r["inflating"] else ("not inflating" if r["inflating"] is not None else "unknown")
    ch.rows = len(recs)
    if not recs:
        ch.empty_reason = "no credential has both a demand and a premium change yet (premium suppressed or window too short)"
        return ch
    defs = _definitions(con, "credential_inflation")
    _with_definitions(recs, defs, {"x": x, "y": y, "flag": "inflating"})
    pts = alt.Chart(alt.Data(values=recs)).mark_circle(size=90, opacity=0.8).encode(
        x=alt.X("demand_change_pp:Q", title="change in demand share (pp)"),
        y=alt.Y("premium_change_pp:Q", title="change in salary premium (pp)"),
        color=alt.Color("status:N", scale=alt.Scale(domain=["inflating", "not inflating", "unknown"],
                                                     range=["#d62728", "#1f77b4", "#aaaaaa"]), title=""),
        tooltip=[_tip("credential", "credential", type_="nominal"),
                 _tip("demand_change_pp", "Δ demand share (pp)", "+.2f"), _tip("def_x", "definition", type_="nominal"),
                 _tip("premium_change_pp", "Δ premium (pp)", "+.1f"), _tip("def_y", "definition", type_="nominal"),
                 _tip("status", "inflation flag", type_="nominal"), _tip("reasons", "why", type_="nominal"),
                 _tip("def_flag", "definition", type_="nominal")],
    )
    zero_x = alt.Chart(alt.Data(values=[{"v": 0}])).mark_rule(color="#888", strokeDash=[4, 4]).encode(x="v:Q")
    zero_y = alt.Chart(alt.Data(values=[{"v": 0}])).mark_rule(color="#888", strokeDash=[4, 4]).encode(y="v:Q")
    labels = pts.mark_text(align="left", dx=7, fontSize=10, color="#333").encode(text="credential_id:N")
    ch.spec = alt.layer(zero_x, zero_y, pts, labels).properties(width="container", height=320).to_dict()
    return ch


def supply_vs_demand(con) -> Chart:
    import altair as alt

    ch = Chart("supply", "Supply vs demand",
               "Latest week: training offerings leading to each credential (catalogs) against the share of postings "
               "asking for it. Few offerings and high demand = a gap for providers; many offerings and little demand "
               "= crowded.", table="credential_supply_weekly")
    if not has_table(con, "credential_supply_weekly", "active_offerings", "providers"):
        ch.empty_reason = "credential_supply_weekly is not published yet"
        return ch
    week = latest_week(con)
    recs = _records(con, """
        WITH s AS (
            SELECT * FROM credential_supply_weekly WHERE week <= ?
            QUALIFY row_number() OVER (PARTITION BY credential_id ORDER BY week DESC) = 1)
        SELECT coalesce(d.name, m.credential_id) AS credential, m.credential_id, m.demand_share_4wk, m.employers,
               s.active_offerings, s.providers, s.median_price_usd, s.median_hours, s.week AS supply_week
        FROM credential_demand_weekly m JOIN s USING (credential_id) LEFT JOIN dim_credential d USING (credential_id)
        WHERE m.week = ? AND m.soc_major = 'ALL' AND m.region = 'ALL'
          AND (m.demand_share_4wk > 0 OR s.active_offerings > 0)""", [week, week])
    ch.rows = len(recs)
    if not recs:
        ch.empty_reason = "no catalog offering or posting links to a credential yet"
        return ch
    sdefs, ddefs = _definitions(con, "credential_supply_weekly"), _definitions(con, "credential_demand_weekly")
    for r in recs:
        r["def_offerings"] = sdefs.get("active_offerings", "")
        r["def_providers"] = sdefs.get("providers", "")
        r["def_share4"] = ddefs.get("demand_share_4wk", "")
    ch.spec = alt.Chart(alt.Data(values=recs)).mark_circle(opacity=0.75).encode(
        x=alt.X("active_offerings:Q", title="catalog offerings (supply)"),
        y=alt.Y("demand_share_4wk:Q", title="demand share, trailing 4 weeks", axis=alt.Axis(format="%")),
        size=alt.Size("employers:Q", title="employers asking"),
        color=alt.Color("providers:Q", title="providers", scale=alt.Scale(scheme="viridis")),
        tooltip=[_tip("credential", "credential", type_="nominal"),
                 _tip("active_offerings", "offerings"), _tip("def_offerings", "definition", type_="nominal"),
                 _tip("providers", "providers"), _tip("def_providers", "definition", type_="nominal"),
                 _tip("median_price_usd", "median price (USD)", ",.0f"), _tip("median_hours", "median hours", ".0f"),
                 _tip("demand_share_4wk", "demand share (4 wk)", ".1%"), _tip("def_share4", "definition", type_="nominal"),
                 _tip("employers", "employers asking")],
    ).properties(width="container", height=320).to_dict()
    return ch


def degree_requirements(con) -> Chart:
    import altair as alt

    ch = Chart("degrees", "Degree requirements and the credential gap by occupation",
               "Latest week, per SOC major group: share of postings requiring a bachelor's degree or higher, share "
               "accepting equivalent experience instead (skills-based hiring), and the credential gap (postings "
               "requiring a BA minus what O*NET says the job needs, in points). Groups with at least "
               f"{MIN_GROUP_POSTINGS} active postings.", table="degree_requirements_weekly")
    need = ("week", "soc_major", "soc_code", "ba_plus_share", "or_equivalent_share", "credential_gap_pp")
    if not columns(con, "degree_requirements_weekly"):
        ch.empty_reason = "degree_requirements_weekly is not published yet"
        return ch
    if not has_table(con, "degree_requirements_weekly", *need):
        ch.empty_reason = "degree_requirements_weekly lacks " + ", ".join(
            sorted(set(need) - columns(con, "degree_requirements_weekly")))
        return ch
    label = "r.soc_major"
    join = ""
    if has_table(con, "dim_occupation", "soc_major", "soc_major_title"):
        join = "LEFT JOIN (SELECT DISTINCT soc_major, soc_major_title FROM dim_occupation) o USING (soc_major)"
        label = "coalesce(o.soc_major_title, 'SOC') || ' (' || r.soc_major || ')'"
    yoy = "r.ba_plus_share_yoy_pp" if "ba_plus_share_yoy_pp" in columns(con, "degree_requirements_weekly") else "NULL"
    wide = _records(con, f"""
        SELECT {label} AS occupation, r.active_postings, r.ba_plus_share, r.or_equivalent_share,
               r.credential_gap_pp, {yoy} AS ba_plus_share_yoy_pp
        FROM degree_requirements_weekly r {join}
        WHERE r.week = (SELECT max(week) FROM degree_requirements_weekly)
          AND r.soc_code = 'ALL' AND r.soc_major NOT IN ('ALL', 'unknown') AND r.active_postings >= ?
        ORDER BY r.ba_plus_share DESC""", [MIN_GROUP_POSTINGS])
    defs = _definitions(con, "degree_requirements_weekly")
    measures = (("BA or higher required", "ba_plus_share", 1.0), ("accepts equivalent experience", "or_equivalent_share", 1.0),
                ("credential gap", "credential_gap_pp", 0.01))
    recs = []
    for r in wide:
        for name, col, scale in measures:
            if r[col] is not None:
                recs.append({"occupation": r["occupation"], "measure": name, "value": r[col] * scale,
                             "postings": r["active_postings"], "yoy_pp": r["ba_plus_share_yoy_pp"],
                             "definition": defs.get(col, "")})
    ch.rows = len(recs)
    if not recs:
        ch.empty_reason = f"no occupation group has {MIN_GROUP_POSTINGS} or more postings with degree figures yet"
        return ch
    ch.spec = alt.Chart(alt.Data(values=recs)).mark_bar().encode(
        y=alt.Y("occupation:N", title=None, sort=None, axis=alt.Axis(labelLimit=280)),
        x=alt.X("value:Q", title="share of postings (gap: postings − O*NET, points / 100)", axis=alt.Axis(format="%")),
        color=alt.Color("measure:N", title="", legend=alt.Legend(orient="bottom")),
        yOffset="measure:N",
        tooltip=[_tip("occupation", "occupation", type_="nominal"), _tip("measure", "measure", type_="nominal"),
                 _tip("value", "value", ".1%"), _tip("definition", "definition", type_="nominal"),
                 _tip("postings", "active postings"), _tip("yoy_pp", "BA share, change over a year (pp)", "+.1f")],
    ).properties(width="container").to_dict()
    return ch


def source_health(con) -> Chart:
    import altair as alt

    ch = Chart("health", "Source health",
               "Per source and week: items the crawl stored (bars; faded = the source failed or is unknown that "
               "week). Hover for pages, error rate, dropped and quarantined items. A source that drops out or spikes "
               "in errors shows here first.", table="source_health_weekly")
    need = ("week", "source", "status", "items", "pages", "error_rate", "dropped", "quarantined")
    if not columns(con, "source_health_weekly"):
        ch.empty_reason = "source_health_weekly is not published yet"
        return ch
    if not has_table(con, "source_health_weekly", *need):
        ch.empty_reason = "source_health_weekly lacks " + ", ".join(sorted(set(need) - columns(con, "source_health_weekly")))
        return ch
    defs = _definitions(con, "source_health_weekly")
    recs = _records(con, """
        SELECT week, source, status, coalesce(items, 0) AS items, pages, error_rate, dropped, quarantined
        FROM source_health_weekly ORDER BY week, source""")
    ch.rows = len(recs)
    if not recs:
        ch.empty_reason = "no crawl statistics yet"
        return ch
    _with_definitions(recs, defs, {"items": "items", "err": "error_rate", "status": "status", "pages": "pages",
                                   "dropped": "dropped", "quarantined": "quarantined"})
    ch.spec = alt.Chart(alt.Data(values=recs)).mark_bar().encode(
        x=alt.X("week:O", title="ISO week"),
        y=alt.Y("items:Q", title="items stored", stack="zero"),
        color=alt.Color("source:N", title="source", legend=alt.Legend(orient="bottom", columns=4)),
        opacity=alt.condition("datum.status == 'ok'", alt.value(1.0), alt.value(0.35)),
        tooltip=[_tip("source", "source", type_="nominal"), _tip("week", "ISO week", type_="nominal"),
                 _tip("status", "status", type_="nominal"), _tip("def_status", "definition", type_="nominal"),
                 _tip("items", "items stored"), _tip("def_items", "definition", type_="nominal"),
                 _tip("pages", "pages"), _tip("def_pages", "definition", type_="nominal"),
                 _tip("error_rate", "error rate", ".1%"), _tip("def_err", "definition", type_="nominal"),
                 _tip("dropped", "dropped"), _tip("def_dropped", "definition", type_="nominal"),
                 _tip("quarantined", "quarantined"), _tip("def_quarantined", "definition", type_="nominal")],
    ).properties(width="container", height=300).to_dict()
    return ch


CHARTS = (demand_trends, inflation_quadrant, supply_vs_demand, degree_requirements, source_health)


def _pick(cols: set[str], *names: str) -> str | None:
    return next((n for n in names if n in cols), None)


# --------------------------------------------------------------------- page


def _script(name: str) -> str:
    text = (VENDOR / name).read_text(encoding="utf-8")
    # no source maps offline; keep the bundle otherwise byte-identical
    lines = [ln for ln in text.splitlines() if not ln.startswith("//# sourceMappingURL=")]
    return "\n".join(lines).replace("</script", "<\\/script")


def _json_for_script(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), default=str).replace("</", "<\\/")


def _link(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


def build(out: Path | None = None, db: Path | None = None, progress=None) -> dict:
    """Write the dashboard; returns {"path", "charts": {key: rows or reason}}.

    `progress(step)` is called once per chart (the CLI's progress bar)."""
    import jinja2

    from expectations.validate import data_docs_index

    step = progress or (lambda _s: None)
    out = Path(out) if out else dashboard_path()
    charts: list[Chart] = []
    with connect(db) as con:
        week = latest_week(con)
        postings = None
        if week and has_table(con, "dim_week", "postings"):
            postings = con.execute("SELECT postings FROM dim_week WHERE week = ?", [week]).fetchone()[0]
        n_weeks = con.execute("SELECT count(*) FROM dim_week").fetchone()[0] if has_table(con, "dim_week", "week") else 0
        for fn in CHARTS:
            step(fn.__name__.replace("_", " "))
            charts.append(fn(con))
    docs = data_docs_index()
    run_report = paths().warehouse / "reports" / "run_report.md"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    page = env.get_template("dashboard.html.j2").render(
        generated=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        week=week, weeks=n_weeks, postings=postings, charts=charts,
        specs={c.key: c.spec for c in charts if c.spec},
        specs_json=_json_for_script({c.key: c.spec for c in charts if c.spec}),
        scripts=[_script(s) for s in SCRIPTS],
        data_docs=_link(docs, out) if docs.exists() else None,
        data_docs_expected=str(docs),
        run_report=_link(run_report, out) if run_report.exists() else None,
        html=html,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)  # a browser never sees half a page
    return {"path": str(out), "week": week,
            "charts": {c.key: (c.rows if c.spec else f"no data yet: {c.empty_reason}") for c in charts}}


def report(out: Path | None = None, db: Path | None = None, progress=None) -> dict:
    """What `credwatch report`, `make demo` and the credwatch_report DAG run:
    the run report (when a publish manifest exists) and the dashboard.
    Returns the dashboard's build() result plus "run_report" (path or None)."""
    from credwatch.orchestration import write_report

    run_report = None
    if (paths().warehouse / "credwatch.publish.json").exists():
        run_report = write_report()["report"]
    res = build(out, db=db, progress=progress)
    res["run_report"] = run_report
    return res
