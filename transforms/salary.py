"""Salary parsing: a posting's structured pay fields or its salary text →
annualised minimum / maximum / midpoint in the posting's currency and in USD,
or a reason the pay was rejected. Polars expressions only; rules in
config/salary.yml, exchange rates in the versioned config/fx_rates.csv.

Where the pay comes from (salary_source), in order of precedence:
1. 'structured': salary_min / salary_max from the source's own fields
   (Lever salaryRange, schema.org baseSalary, USAJOBS PositionRemuneration);
   their currency and period, when missing, come from the salary text. When
   they are implausible but the text gives a plausible range, the text wins
   (spiders that pre-parse salary text into these fields get it wrong for
   "$31,2k- $52k" or "150-180k");
2. 'text': the `salary_raw` string ("$120,000 - $150,000 per year"), or
   else the best salary line of the posting's `text`: a line with a currency
   mark, or with a salary keyword and a "k" amount or a period word; lines
   about budgets, stipends, funding, ... are skipped, and among the rest the
   first wins after ranking: accepted (plausible) before rejected, a line
   with a salary keyword first, then one stating a period or a range.

Reading an amount: "95k", "1.2m", "12 lakh", "12,00,000", "31,2k" (decimal
comma), "60.000" (dot thousands); "150-180k" carries the "k" back to the
first number; "up to $200k" has only a maximum, "from 70k EUR" only a
minimum (their midpoint is null); a single figure is minimum = maximum.

Period: the leftmost period word on the line (hour, day, week, month, year
and their spellings); with none, amounts <= implicit_period.hour_max are
hourly, >= implicit_period.year_min yearly, and anything between is rejected
(ambiguous_period). Annualised with config `annualise` (hour x 2080, day
x 260, week x 52, month x 12).

Currency: see config/salary.yml (marks and codes; "$" is USD unless the
posting's country is a dollar country listed there; no mark: the country's
currency, else default_currency). The country is the `country` column when
the frame has one (run transforms.location.parse_location first), else it is
derived from `location_raw`.

Rejections (salary_reject_reason; the amount columns are then null, the
currency and period stay): no_amount (salary_raw has no amount, e.g.
"competitive salary"), no_fx_rate, ambiguous_period, min_gt_max,
likely_cents, above_max_annual, below_min_annual, range_too_wide; bounds in
config/salary.yml. A posting with no pay information at all has every
salary column null and no reason.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from credwatch.settings import load_config, paths

# Columns parse_salary adds (salary_currency replaces the input column).
SALARY_COLUMNS: dict[str, pl.DataType] = {
    "salary_min_annual": pl.Float64,       # per year, in salary_currency
    "salary_max_annual": pl.Float64,
    "salary_mid_annual": pl.Float64,       # (min + max) / 2; null for open ranges ("up to", "from")
    "salary_currency": pl.String,          # ISO 4217
    "salary_period_detected": pl.String,   # hour | day | week | month | year, as stated or implied
    "salary_min_usd": pl.Float64,          # per year, USD at the fx table's rate
    "salary_max_usd": pl.Float64,
    "salary_mid_usd": pl.Float64,
    "salary_source": pl.String,            # structured | text
    "salary_reject_reason": pl.String,     # null when accepted (or when there is no pay information)
    "salary_fx_version": pl.String,        # `version` of config/fx_rates.csv used for the USD columns
}
PERIODS = ("hour", "day", "week", "month", "year")
_INPUTS = {
    "salary_raw": pl.String, "salary_min": pl.Float64, "salary_max": pl.Float64,
    "salary_currency": pl.String, "salary_period": pl.String, "text": pl.String,
}


@dataclass(frozen=True)
class SalaryConfig:
    rules: dict
    rates: dict[str, float]          # ISO 4217 -> USD per unit
    fx_version: str
    marks: dict[str, str]            # upper-cased mark or code -> ISO 4217, or "$"
    multipliers: dict[str, float]
    country_currency: dict[str, str]  # alpha-2 -> ISO 4217 (only currencies with a rate)
    amount_pattern: str              # one amount or range with its marks ("$120k - $150k", "from 70k EUR")
    line_pattern: str                # a line of text that may state pay
    code_pattern: str                # a currency code anywhere on a line
    line_rules: dict[str, str]       # salary_keywords, exclude_keywords, strip_patterns, periods.<p> (ready to use)
    token_pattern: str               # one number with its multiplier ("180k"), to split a range
    number_prefix: str               # the number at the start of a token
    qualifier_pattern: str           # "up to" / "from" ... at the start of a match
    specific_mark_pattern: str       # a currency mark other than a bare "$"
    dollar_pattern: str              # a bare "$" or "dollar(s)"
    period_pattern: str              # any period word (which one: line_rules periods.<p>)


def _load_rates(path: Path) -> tuple[dict[str, float], str]:
    if not path.exists():
        raise FileNotFoundError(f"FX table {path} is missing; restore config/fx_rates.csv from git")
    fx = pl.read_csv(path, schema_overrides={"currency": pl.String, "usd_per_unit": pl.Float64})
    need = {"currency", "usd_per_unit", "as_of", "source", "version"}
    if not need <= set(fx.columns):
        raise ValueError(f"{path}: columns {sorted(need - set(fx.columns))} are missing; expected {sorted(need)}")
    bad = fx.filter(~pl.col("currency").str.contains(r"^[A-Z]{3}$") | ~(pl.col("usd_per_unit") > 0))
    if bad.height:
        raise ValueError(f"{path}: rows need a 3-letter ISO 4217 code and a positive usd_per_unit: {bad.rows()[:3]}")
    if fx["currency"].is_duplicated().any():
        twice = fx.filter(pl.col("currency").is_duplicated())["currency"].unique().to_list()
        raise ValueError(f"{path}: currencies listed twice: {twice}; keep one row per currency")
    versions = fx["version"].unique().to_list()
    if len(versions) != 1:
        raise ValueError(f"{path}: one table has one version; found {versions}")
    return dict(fx.select("currency", "usd_per_unit").iter_rows()), str(versions[0])


def _ascii_b(pattern: str) -> str:
    """Word boundaries as ASCII boundaries: a Unicode \\b keeps Polars' regex off
    its fast DFA (measured ~50x slower on posting text), and every word these
    patterns bound is ASCII."""
    return pattern.replace(r"\b", r"(?-u:\b)")


def _alternation(items, word_start: bool) -> str:
    out = []
    for s in sorted(items, key=len, reverse=True):
        esc = re.escape(s)
        out.append(r"\b" + esc if word_start and s[:1].isalpha() else esc)
    return "|".join(out)


@functools.lru_cache(maxsize=4)
def _salary_config(stamp: tuple) -> SalaryConfig:
    from transforms.location import geo_config

    rules = load_config("salary")
    rates, fx_version = _load_rates(paths().config / rules["fx_rates"])
    codes = sorted(rates)
    marks = {str(k).upper(): str(v) for k, v in rules["currency_marks"].items()}
    marks.update({c: c for c in codes})
    unknown = sorted({v for v in marks.values() if v != "$" and v not in rates})
    if unknown:
        raise ValueError(f"config/salary.yml currency_marks name currencies without an FX rate: {unknown}; "
                         f"add them to {rules['fx_rates']} or drop the marks")
    for c, cur in rules["dollar_sign_by_country"].items():
        if cur not in rates:
            raise ValueError(f"config/salary.yml dollar_sign_by_country: {c} -> {cur} has no FX rate in {rules['fx_rates']}")
    if rules["default_currency"] not in rates:
        raise ValueError(f"config/salary.yml default_currency {rules['default_currency']} has no FX rate")
    multipliers = {str(k).lower(): float(v) for k, v in rules["multipliers"].items()}

    mark_alt = _alternation([k for k in rules["currency_marks"]], word_start=True)
    code_alt = "|".join(codes)
    pre = rf"(?:{mark_alt}|\b(?-i:{code_alt}))"
    suf = rf"(?:{mark_alt}|(?-i:{code_alt})\b)"
    num = r"\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?"
    words = _alternation([k for k in multipliers if len(k) > 1 or k == "k"], word_start=False)
    mult = rf"(?:\s?(?:{words})\b|m\b)"  # "m" (million) only right after the number: "$1.2m", not "5 mo"
    sep = r"\s*(?:-|–|—|~|\bto\b|\band\b)\s*"
    qual = r"up\s*to|upto|max(?:imum)?\.?|from|starting\s+(?:at|from)|starts?\s+at|min(?:imum)?\.?|at\s+least|over"
    # No capture groups: the pattern only feeds extract_all (captures force a slower regex engine).
    amount = (
        rf"(?i)(?:(?:{qual})\s*:?\s*)?(?:{pre}\s?)?(?:{num})(?:{mult})?(?:\s?{suf})?"
        rf"(?:{sep}(?:{pre}\s?)?(?:{num})(?:{mult})?(?:\s?{suf})?)?"
    )
    line = rf"(?i)[^\n]*(?:{mark_alt}|(?-i:{code_alt})|\d\s?k\b|{rules['salary_keywords']})[^\n]*"
    geo = geo_config()
    country_currency = {c: cur for c, cur in geo.country_currency.items() if cur in rates}
    line_rules = {k: "(?i)" + _ascii_b(rules[k]) for k in ("salary_keywords", "exclude_keywords", "strip_patterns")}
    line_rules.update({f"periods.{p}": "(?i)" + _ascii_b(rules["periods"][p]) for p in PERIODS})
    specific = [k for k, v in rules["currency_marks"].items() if v != "$"]
    return SalaryConfig(
        rules, rates, fx_version, marks, multipliers, country_currency, _ascii_b(amount), _ascii_b(line),
        _ascii_b(rf"\b((?-i:{code_alt}))\b"), line_rules,
        token_pattern=_ascii_b(rf"(?i)(?:{num})(?:{mult})?"),
        number_prefix=rf"^(?:{num})",
        qualifier_pattern=_ascii_b(rf"(?i)^({qual})"),
        specific_mark_pattern=_ascii_b(rf"(?i)({_alternation(specific, word_start=True)}|(?-i:{code_alt}))"),
        dollar_pattern=_ascii_b(r"(?i)\$|\bdollars?\b"),
        period_pattern="(?i)(?:" + "|".join(_ascii_b(rules["periods"][p]) for p in PERIODS) + ")",
    )


def salary_config() -> SalaryConfig:
    """Salary rules, FX table and derived patterns, cached until a file changes."""
    cfg = paths().config
    files = [cfg / "salary.yml", cfg / "fx_rates.csv", *sorted((cfg / "geo").glob("*"))]
    return _salary_config(tuple((str(p), p.stat().st_mtime) for p in files if p.exists()))


# --------------------------------------------------------------------------- expressions


def _number(s: pl.Expr) -> pl.Expr:
    """A written number → Float64: "120,000", "60.000", "12,00,000", "31,2", "45.50"."""
    s = s.str.replace_all(r"[\s'\u00a0\u202f]", "")
    return (
        pl.when(s.str.contains(r"^\d{1,3}(,\d{3})+(\.\d+)?$")).then(s.str.replace_all(",", "", literal=True))
        .when(s.str.contains(r"^\d{1,3}(\.\d{3})+(,\d+)?$"))
        .then(s.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(s.str.contains(r"^\d{1,2}(,\d{2})+,\d{3}(\.\d+)?$")).then(s.str.replace_all(",", "", literal=True))
        .when(s.str.contains(r"^\d+,\d{1,2}$")).then(s.str.replace(",", ".", literal=True))
        .otherwise(s)
        .cast(pl.Float64, strict=False)
    )


def _period_word(line: pl.Expr, cfg: SalaryConfig) -> pl.Expr:
    """The leftmost period word of a line: hour | day | week | month | year, or null.

    One regex finds the leftmost period phrase; the short phrase is then
    classified (str.find with five regexes per line was ~30x slower)."""
    phrase = line.str.extract(cfg.period_pattern, 0)
    out = pl.lit(None, dtype=pl.String)
    for p in reversed(PERIODS):
        out = pl.when(phrase.str.contains(cfg.line_rules[f"periods.{p}"])).then(pl.lit(p)).otherwise(out)
    return out


def _period_enum(value: pl.Expr) -> pl.Expr:
    """A source's period field ('year', 'YEAR', 'per-hour-wage', 'Per Year', 'PA') → hour | ... | year."""
    v = value.str.to_lowercase()
    return (
        pl.when(v.str.contains(r"hour|\bhr\b|^ph$")).then(pl.lit("hour"))
        .when(v.str.contains(r"day|daily|^pd$")).then(pl.lit("day"))
        .when(v.str.contains(r"week|^pw$")).then(pl.lit("week"))
        .when(v.str.contains(r"month|^pm$")).then(pl.lit("month"))
        .when(v.str.contains(r"year|annual|annum|\byr\b|^pa$")).then(pl.lit("year"))
    )


def _evaluate(lf: pl.LazyFrame, cfg: SalaryConfig) -> pl.LazyFrame:
    """Currency, period, annual amounts (own currency and USD) and reject reason
    of the range in columns _lo, _hi (amounts per period), _mark (ISO code,
    "$" or null), _period (or null), _country and _cents_possible (whether the
    amounts may be cents: structured fields, or a bare run of 7+ digits). Adds _cur, _per, _reason,
    _lo_a, _hi_a, _mid_a, _lo_u, _hi_u, _mid_u (amounts null when rejected).

    Staged in several with_columns so each intermediate is computed once
    (nested expressions would be inlined again at every use)."""
    r = cfg.rules
    b = r["bounds"]
    imp = r["implicit_period"]
    lo, hi, country = pl.col("_lo"), pl.col("_hi"), pl.col("_country")
    dollar = country.replace_strict(r["dollar_sign_by_country"], default=None, return_dtype=pl.String).fill_null("USD")
    local = country.replace_strict(cfg.country_currency, default=None, return_dtype=pl.String).fill_null(r["default_currency"])
    low, high = pl.min_horizontal(lo, hi), pl.max_horizontal(lo, hi)
    lf = lf.with_columns(
        pl.when(pl.col("_mark") == "$").then(dollar).when(pl.col("_mark").is_null()).then(local)
        .otherwise(pl.col("_mark")).alias("_cur"),
        pl.coalesce(
            "_period",
            pl.when(high <= imp["hour_max"]).then(pl.lit("hour")).when(low >= imp["year_min"]).then(pl.lit("year")),
        ).alias("_per"),
    ).with_columns(
        pl.col("_per").replace_strict({k: float(v) for k, v in r["annualise"].items()}, default=None,
                                      return_dtype=pl.Float64).alias("_factor"),
        pl.col("_cur").replace_strict(cfg.rates, default=None, return_dtype=pl.Float64).alias("_rate"),
    ).with_columns(
        (lo * pl.col("_factor")).alias("_lo_a"),
        (hi * pl.col("_factor")).alias("_hi_a"),
    ).with_columns(
        (pl.col("_lo_a") * pl.col("_rate")).alias("_lo_u"),
        (pl.col("_hi_a") * pl.col("_rate")).alias("_hi_u"),
    )
    top, bottom = pl.max_horizontal("_lo_u", "_hi_u"), pl.min_horizontal("_lo_u", "_hi_u")
    div = b["cents_divisor"]
    lf = lf.with_columns(
        pl.when(lo.is_null() & hi.is_null()).then(pl.lit("no_amount"))
        .when(pl.col("_rate").is_null()).then(pl.lit("no_fx_rate"))
        .when(pl.col("_per").is_null()).then(pl.lit("ambiguous_period"))
        .when(lo > hi).then(pl.lit("min_gt_max"))
        .when(pl.col("_cents_possible") & (top > b["annual_usd_max"]) & (top / div <= b["annual_usd_max"])
              & (bottom / div >= b["annual_usd_min"]))
        .then(pl.lit("likely_cents"))
        .when(top > b["annual_usd_max"]).then(pl.lit("above_max_annual"))
        .when(bottom < b["annual_usd_min"]).then(pl.lit("below_min_annual"))
        .when(hi > lo * b["max_range_ratio"]).then(pl.lit("range_too_wide"))
        .alias("_reason")
    )
    ok = pl.col("_reason").is_null()
    keep = lambda e: pl.when(ok).then(e.round(2))  # noqa: E731
    return lf.with_columns(
        keep(pl.col("_lo_a")).alias("_lo_a"), keep(pl.col("_hi_a")).alias("_hi_a"),
        keep((pl.col("_lo_a") + pl.col("_hi_a")) / 2).alias("_mid_a"),
        keep(pl.col("_lo_u")).alias("_lo_u"), keep(pl.col("_hi_u")).alias("_hi_u"),
        keep((pl.col("_lo_u") + pl.col("_hi_u")) / 2).alias("_mid_u"),
    ).drop("_factor", "_rate")


def _candidates(base: pl.LazyFrame, need_text: pl.Expr, cfg: SalaryConfig) -> pl.LazyFrame:
    """Every amount or range in salary_raw (src 0) and in salary lines of text
    (src 1) that carries a pay signal, with its line's flags, in text order."""
    raw_ok = pl.col("salary_raw").is_not_null() & ~pl.col("salary_raw").str.contains(r"^\s*[\[{]")
    raw = base.filter(raw_ok).select(
        "_row", "_country", pl.lit(0, dtype=pl.Int8).alias("_src"),
        pl.col("salary_raw").str.replace_all(r"\s+", " ").alias("_line"), pl.lit(0, dtype=pl.Int64).alias("_li"),
    )
    # _li / _mi: positions of a line in the text and of a match in its line, taken
    # before each explode, so "first" never depends on a plan's physical row order.
    text = (
        base.filter(need_text & pl.col("text").is_not_null())
        .select("_row", "_country", pl.lit(1, dtype=pl.Int8).alias("_src"),
                pl.col("text").str.extract_all(cfg.line_pattern).alias("_line"))
        .with_columns(pl.int_ranges(pl.col("_line").list.len()).alias("_li"))
        .explode("_line", "_li")
    )
    lines = (
        pl.concat([raw, text])
        .filter(pl.col("_line").str.contains(r"\d"))
        .with_columns(pl.col("_line").str.replace_all(cfg.line_rules["strip_patterns"], " "))
        .with_columns(
            pl.col("_line").str.contains(cfg.line_rules["salary_keywords"]).alias("_kw"),
            pl.col("_line").str.contains(cfg.line_rules["exclude_keywords"]).alias("_excl"),
        )
        .filter((pl.col("_src") == 0) | pl.col("_kw") | ~pl.col("_excl"))
        .with_columns(
            _period_word(pl.col("_line"), cfg).alias("_pword"),
            pl.col("_line").str.extract(cfg.code_pattern, 1).alias("_line_code"),
            pl.col("_line").str.extract_all(cfg.amount_pattern).alias("_m"),
        )
        .with_columns(pl.int_ranges(pl.col("_m").list.len()).alias("_mi"))
        .explode("_m", "_mi")
        .filter(pl.col("_m").is_not_null())
    )
    # Pieces of each match with small DFA-friendly regexes (extract_groups on the
    # whole amount pattern was the slowest step): its one or two numbers with
    # their multipliers, its qualifier and its currency mark.
    tok = pl.col("_m").str.extract_all(cfg.token_pattern)
    mult = lambda t: (t.str.replace(cfg.number_prefix, "").str.strip_chars().str.to_lowercase()  # noqa: E731
                      .replace_strict(cfg.multipliers, default=None, return_dtype=pl.Float64))
    marks = lambda m: (m.str.strip_chars().str.to_uppercase()  # noqa: E731
                       .replace_strict(cfg.marks, default=None, return_dtype=pl.String))
    parts = lines.with_columns(
        tok.list.get(0, null_on_oob=True).alias("_t1"),
        pl.col("_m").str.contains(r"\d{7}").alias("_cents_possible"),
        tok.list.get(1, null_on_oob=True).alias("_t2"),
        pl.col("_m").str.extract(cfg.qualifier_pattern, 1).str.to_lowercase().alias("_q"),
        # a code or specific mark ("CAD", "CA$", "£") beats a bare "$" anywhere in the range or line
        pl.coalesce(
            marks(pl.col("_m").str.extract(cfg.specific_mark_pattern, 1)),
            pl.when(pl.col("_m").str.contains(cfg.dollar_pattern)).then(pl.lit("$")),
            marks(pl.col("_line_code")),
        ).alias("_mark"),
    ).with_columns(
        _number(pl.col("_t1").str.extract(cfg.number_prefix, 0)).alias("_n1"),
        _number(pl.col("_t2").str.extract(cfg.number_prefix, 0)).alias("_n2"),
        mult(pl.col("_t1")).alias("_k1"),
        mult(pl.col("_t2")).alias("_k2"),
    )
    n1, n2, m1, m2 = pl.col("_n1"), pl.col("_n2"), pl.col("_k1"), pl.col("_k2")
    out = parts.with_columns(
        # "150-180k": the k of the second number is the first's too; "80k-100" the other way round
        pl.coalesce(m1, pl.when(m2.is_not_null() & (n1 <= n2)).then(m2), pl.lit(1.0)).alias("_m1"),
        pl.coalesce(m2, pl.when(m1.is_not_null() & (n2 >= n1) & (n2 < 1000)).then(m1), pl.lit(1.0)).alias("_m2"),
        (m1.is_not_null() | m2.is_not_null()).alias("_has_k"),
    ).with_columns(
        (pl.col("_n1") * pl.col("_m1")).alias("_a1"),
        (pl.col("_n2") * pl.col("_m2")).alias("_a2"),
    )
    signal = (
        pl.col("_mark").is_not_null()
        | (pl.col("_kw") & (pl.col("_has_k") | pl.col("_pword").is_not_null()))
        | ((pl.col("_src") == 0) & (pl.col("_has_k") | pl.col("_pword").is_not_null()
                                     | (pl.max_horizontal("_a1", "_a2") >= 1000)))
    )
    single = pl.col("_a2").is_null()
    upto = single & pl.col("_q").str.contains(r"^(up|max)").fill_null(False)
    from_ = single & pl.col("_q").str.contains(r"^(from|start|min|at|over)").fill_null(False)
    return out.filter(signal & pl.col("_a1").is_not_null()).select(
        "_row", "_src", "_li", "_mi", "_kw", "_country",
        (pl.col("_pword").is_not_null() | pl.col("_a2").is_not_null()).alias("_shaped"),
        pl.when(~upto).then(pl.col("_a1")).alias("_lo"),
        pl.when(upto).then(pl.col("_a1")).when(~from_).then(pl.coalesce("_a2", "_a1")).alias("_hi"),
        "_mark", pl.col("_pword").alias("_period"), "_cents_possible",
    )


def _with_country(lf: pl.LazyFrame, schema) -> pl.LazyFrame:
    """_country: the frame's `country` (alpha-2) where given, else the country of `location_raw`."""
    given = pl.col("country").cast(pl.String) if "country" in schema else pl.lit(None, dtype=pl.String)
    if "location_raw" not in schema:
        return lf.with_columns(given.alias("_country"))
    from transforms.location import resolve_locations

    strings = lf.filter(given.is_null()).select(pl.col("location_raw").cast(pl.String)).unique().drop_nulls()
    found = resolve_locations(strings).select("location_raw", pl.col("country").alias("_loc_country"))
    return (
        lf.join(found, on="location_raw", how="left", maintain_order="left")
        .with_columns(pl.coalesce(given, pl.col("_loc_country")).alias("_country"))
        .drop("_loc_country")
    )


def parse_salary(lf: pl.LazyFrame, cfg: SalaryConfig | None = None) -> pl.LazyFrame:
    """Add the SALARY_COLUMNS to a postings frame (clean_postings output or any
    frame with some of its columns).

    Inputs (all optional; missing ones count as null): salary_min, salary_max
    (Float64, amounts per salary_period in salary_currency), salary_currency
    (ISO 4217 or a mark such as "$"), salary_period (hour/day/week/month/year
    or a source's spelling), salary_raw (the source's salary string), text
    (cleaned posting text, one line per paragraph), and `country` (alpha-2)
    or `location_raw` for the "$" and no-mark currency rules. Rows keep their
    order; the input salary_currency is replaced by the resolved currency.
    """
    cfg = cfg or salary_config()
    # cache(): the input is read by several branches (distinct locations, candidates,
    # the final join); without it an upstream lazy plan such as parse_location's is
    # re-planned into each branch (measured 30x slower for parse_salary(parse_location(lf))).
    lf = lf.cache()
    schema = lf.collect_schema()
    lf = lf.drop([c for c in SALARY_COLUMNS if c in schema and c != "salary_currency"])
    missing = {c: t for c, t in _INPUTS.items() if c not in schema}
    typed = [pl.col(c).cast(t) for c, t in {**_INPUTS, "country": pl.String, "location_raw": pl.String}.items() if c in schema]
    # cache(): the frame feeds both the candidates and the final join on _row, so
    # it must be evaluated once (a re-run plan could number rows differently).
    base = _with_country(
        lf.with_columns(typed).with_columns([pl.lit(None, dtype=t).alias(c) for c, t in missing.items()]).with_row_index("_row"),
        schema,
    ).cache()
    structured = pl.col("salary_min").is_not_null() | pl.col("salary_max").is_not_null()
    s_mark = pl.col("salary_currency").str.strip_chars().str.to_uppercase().replace(cfg.marks)
    s_period = _period_enum(pl.col("salary_period"))
    need_text = ~structured | s_mark.is_null() | s_period.is_null()

    cand = _candidates(base, need_text, cfg)
    best = (
        _evaluate(cand, cfg)
        .with_columns(pl.col("_reason").is_not_null().alias("_rejected"))
        .sort(["_row", "_src", "_rejected", "_kw", "_shaped", "_li", "_mi"],
              descending=[False, False, False, True, True, False, False])
        .unique("_row", keep="first", maintain_order=True)
        .select("_row", pl.col("_lo").alias("_c_lo"), pl.col("_hi").alias("_c_hi"),
                pl.col("_mark").alias("_c_mark"), pl.col("_period").alias("_c_period"),
                pl.col("_cents_possible").alias("_c_cents"), pl.col("_rejected").alias("_c_rejected"))
    )
    raw_given = (pl.col("salary_raw").str.contains(r"\S").fill_null(False)
                 & ~pl.col("salary_raw").str.contains(r"^\s*[\[{]").fill_null(False))
    has_cand = pl.col("_c_lo").is_not_null() | pl.col("_c_hi").is_not_null()
    def choose(use_struct: pl.Expr) -> list[pl.Expr]:
        """The range to evaluate: the structured fields (currency / period from text when missing) or the text's."""
        return [
            pl.when(use_struct).then(pl.coalesce("salary_min", "salary_max")).otherwise(pl.col("_c_lo")).alias("_lo"),
            pl.when(use_struct).then(pl.coalesce("salary_max", "salary_min")).otherwise(pl.col("_c_hi")).alias("_hi"),
            pl.when(use_struct).then(pl.coalesce("_s_mark", "_c_mark")).otherwise(pl.col("_c_mark")).alias("_mark"),
            pl.when(use_struct).then(pl.coalesce("_s_period", "_c_period")).otherwise(pl.col("_c_period")).alias("_period"),
            (use_struct | pl.col("_c_cents").fill_null(False)).alias("_cents_possible"),
        ]

    first = (
        base.join(best, on="_row", how="left", maintain_order="left")
        .with_columns(structured.alias("_structured"), has_cand.alias("_has_cand"), raw_given.alias("_raw_given"),
                      s_mark.alias("_s_mark"), s_period.alias("_s_period"))
        .with_columns(choose(pl.col("_structured")))
    )
    # Structured fields win, unless they are implausible and the salary text gives a
    # plausible range: some spiders pre-parse text into the structured fields
    # ("$31,2k- $52k" -> 52,000 .. 312,000), and the text parse is the better one.
    joined = (
        _evaluate(first, cfg)
        .with_columns(
            (pl.col("_structured")
             & (pl.col("_reason").is_null() | ~(pl.col("_has_cand") & ~pl.col("_c_rejected").fill_null(True))))
            .alias("_use_struct")
        )
        .drop("_cur", "_per", "_reason", "_lo_a", "_hi_a", "_mid_a", "_lo_u", "_hi_u", "_mid_u")
        .with_columns(choose(pl.col("_use_struct")))
    )
    present = pl.col("_structured") | pl.col("_has_cand")
    out = _evaluate(joined, cfg).with_columns(
        pl.col("_lo_a").alias("salary_min_annual"),
        pl.col("_hi_a").alias("salary_max_annual"),
        pl.col("_mid_a").alias("salary_mid_annual"),
        pl.when(present).then(pl.col("_cur")).alias("salary_currency"),
        pl.when(present).then(pl.col("_per")).alias("salary_period_detected"),
        pl.col("_lo_u").alias("salary_min_usd"),
        pl.col("_hi_u").alias("salary_max_usd"),
        pl.col("_mid_u").alias("salary_mid_usd"),
        pl.when("_use_struct").then(pl.lit("structured"))
        .when(pl.col("_has_cand") | pl.col("_raw_given")).then(pl.lit("text")).alias("salary_source"),
        pl.when(present).then(pl.col("_reason")).when("_raw_given").then(pl.lit("no_amount")).alias("salary_reject_reason"),
        pl.when(present & pl.col("_reason").is_null()).then(pl.lit(cfg.fx_version)).alias("salary_fx_version"),
    )
    helpers = [c for c in out.collect_schema() if c.startswith("_") and c not in schema]
    return out.drop(*helpers, *[c for c in missing if c != "salary_currency"])
