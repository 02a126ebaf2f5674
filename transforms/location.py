"""Location parsing: a posting's free-text location and remote / hybrid flags →
country, region, city, work mode and, for multi-location postings, the list of
locations. Polars expressions and joins against the lookup tables in
config/geo (see config/geo/README.md for their origin and licence).

How a location string is read (rules and scores in config/geo/location.yml):
1. it is cut into alternatives on `;`, `|`, `/`, `&`, a new line or " or "
   ("NYC; SF; Remote", "San Francisco, CA or Remote"), and each alternative
   into comma parts; brackets and spaced dashes count as commas, so
   "Remote - US", "Hybrid (London)" and "Remote (EMEA)" are two parts each;
2. each part loses its work-mode words (remote, hybrid, on-site, ...) and is
   looked up as a city, a state / province (name or code), a country (name,
   alias or ISO code) or a multi-country area (EMEA, LATAM, Worldwide, ...);
   a part that names several places is resolved by its position and by
   agreement with the other parts ("Berlin, DE" is Germany, "Austin, TX"
   Texas, "Toronto, ON, CA" Canada);
3. an alternative whose parts name places of one kind more than once
   ("USA, Canada", "Americas, Europe, Israel") is a list of locations;
   otherwise it is one location read from city to country, and an unknown
   first part before a known state or country is kept as the city
   ("Springfield, IL");
4. the posting's country / region / city are those of its first location
   that names a country or city (the primary location); `locations` lists
   every location as a canonical label ("New York, NY, US", "Remote (US)",
   "EMEA"); `is_multi_location` is true when there are two or more.

Work mode, first rule that applies:
  remote flag alone → remote; hybrid flag alone → hybrid; an alternative that
  is remote and not hybrid ("SF or Remote") → remote; "hybrid" in the location
  → hybrid; both flags → remote; on-site words in the location, or both flags
  explicitly false (Lever "on-site") → onsite; specific remote / hybrid
  phrases in the posting text → remote / hybrid; a named place → onsite;
  otherwise unknown.

All parsing runs once per distinct location string and is joined back, so a
week of postings costs its few thousand distinct strings plus one join.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from credwatch.settings import load_config, paths

# Columns parse_location adds (or replaces).
LOCATION_COLUMNS: dict[str, pl.DataType] = {
    "country": pl.String,           # ISO 3166-1 alpha-2 of the primary location
    "region": pl.String,            # subdivision code without the country ("NY", "ON", "ENG")
    "city": pl.String,              # canonical city name, or the posting's spelling when not in cities.csv
    "area": pl.String,              # multi-country area code (EMEA, EUROPE, WORLDWIDE, ...) when one is named
    "work_mode": pl.String,         # remote | hybrid | onsite | unknown
    "is_multi_location": pl.Boolean,
    "locations": pl.List(pl.String),
    "location_unparsed": pl.String,  # "; "-joined parts that matched nothing (null when all were understood)
}

WORK_MODES = ("remote", "hybrid", "onsite", "unknown")
_SEG = "\x1f"
_PLACE_KINDS = ("city", "region", "country", "area")


def _ascii_b(pattern: str) -> str:
    """ASCII word boundaries: a Unicode \\b keeps Polars' regex off its fast DFA on long text."""
    return pattern.replace(r"\b", r"(?-u:\b)")


def _norm(expr: pl.Expr) -> pl.Expr:
    """Lookup key of a text: lower case, accents stripped, `.`/`-`/`'` as spaces, single spaces."""
    return (
        expr.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[.\-_'’]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


@dataclass(frozen=True)
class GeoConfig:
    rules: dict
    lookup: pl.DataFrame          # key, kind, country, region, city, area, code, ambiguous, order
    country_currency: dict[str, str]
    version: str


def _read(name: str, folder: Path) -> pl.DataFrame:
    path = folder / name
    if not path.exists():
        raise FileNotFoundError(f"lookup table {path} is missing; restore config/geo from git")
    return pl.read_csv(path, infer_schema=False)


@functools.lru_cache(maxsize=4)
def _geo_config(folder: str, stamp: tuple) -> GeoConfig:
    folder_p = Path(folder)
    rules = load_config("geo/location")
    t = rules["tables"]
    countries = _read(t["countries"], folder_p)
    known = set(countries["alpha2"].to_list())
    aliases = _read(t["country_aliases"], folder_p)
    subs = _read(t["subdivisions"], folder_p)
    sub_aliases = _read(t["subdivision_aliases"], folder_p)
    cities = _read(t["cities"], folder_p)
    areas = _read(t["areas"], folder_p)
    for frame, col, name in ((aliases, "alpha2", t["country_aliases"]), (subs, "country", t["subdivisions"]),
                             (cities, "country", t["cities"])):
        bad = sorted(set(frame[col].drop_nulls().to_list()) - known)
        if bad:
            raise ValueError(f"config/geo/{name}: unknown ISO 3166-1 codes {bad}; add them to countries.csv or fix the rows")
    sub_keys = set(zip(subs["country"].to_list(), subs["code"].to_list()))
    bad = sorted({f"{c}-{r}" for c, r in zip(sub_aliases["country"], sub_aliases["code"])} - {f"{c}-{r}" for c, r in sub_keys})
    if bad:
        raise ValueError(f"config/geo/{t['subdivision_aliases']}: unknown subdivisions {bad}; add them to subdivisions.csv")

    def rows(frame: pl.DataFrame, key: pl.Expr, kind: str, code: bool = False, minor: bool = False,
             **cols: pl.Expr) -> pl.DataFrame:
        base = {c: pl.lit(None, dtype=pl.String) for c in ("country", "region", "city", "area")}
        base.update(cols)
        return frame.select(
            key.alias("key"), pl.lit(kind).alias("kind"), *[v.alias(k) for k, v in base.items()],
            pl.lit(code).alias("code"), pl.lit(minor).alias("minor"),
        )

    parts = [
        # cities first: on equal scores the earlier row wins
        rows(cities.with_columns(pl.concat_list(pl.col("city"), pl.col("aliases").fill_null("").str.split("|")).alias("k"))
             .explode("k"),
             pl.col("k"), "city", country=pl.col("country"), region=pl.col("region"), city=pl.col("city")),
        rows(subs.filter(pl.col("country") == "US"), pl.col("name"), "region", country=pl.col("country"), region=pl.col("code")),
        rows(subs.filter(pl.col("country") != "US"), pl.col("name"), "region", country=pl.col("country"), region=pl.col("code")),
        rows(sub_aliases, pl.col("alias"), "region", country=pl.col("country"), region=pl.col("code")),
        rows(subs.filter(pl.col("code_is_alias") == "true"), pl.col("code"), "region", code=True,
             country=pl.col("country"), region=pl.col("code")),
        # other countries' codes ("Mumbai, MH", "Berlin, BE") count only when a city agrees
        rows(subs.filter((pl.col("code_is_alias") != "true") & (pl.col("code").str.len_chars() >= 2)), pl.col("code"),
             "region", code=True, minor=True, country=pl.col("country"), region=pl.col("code")),
        rows(aliases, pl.col("alias"), "country", country=pl.col("alpha2")),
        rows(countries, pl.col("common_name"), "country", country=pl.col("alpha2")),
        rows(countries, pl.col("name"), "country", country=pl.col("alpha2")),
        rows(countries, pl.col("official_name"), "country", country=pl.col("alpha2")),
        rows(countries, pl.col("alpha2"), "country", code=True, country=pl.col("alpha2")),
        rows(areas.with_columns(pl.col("aliases").str.split("|")).explode("aliases"), pl.col("aliases"), "area",
             area=pl.col("area")),
    ]
    lookup = (
        pl.concat(parts)
        .with_columns(_norm(pl.col("key")).alias("key"))
        .filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
        .unique(["key", "kind", "country", "region", "city", "area", "code", "minor"], keep="first", maintain_order=True)
        .with_row_index("order")
    )
    region_names = lookup.filter((pl.col("kind") == "region") & ~pl.col("code")).select("key").unique()
    lookup = lookup.with_columns(
        pl.col("key").is_in(region_names["key"].implode()).alias("ambiguous")
    )
    currency = dict(countries.filter(pl.col("currency").is_not_null()).select("alpha2", "currency").iter_rows())
    return GeoConfig(rules=rules, lookup=lookup, country_currency=currency, version=str(rules.get("version")))


def geo_config() -> GeoConfig:
    """The location rules and lookup tables, cached until a file changes."""
    folder = paths().config / "geo"
    stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*") if p.is_file()))
    return _geo_config(str(folder), stamp)


def resolve_locations(strings: pl.LazyFrame, cfg: GeoConfig | None = None) -> pl.LazyFrame:
    """Parse distinct location strings.

    Input: a frame with a `location_raw` column (distinct, non-null values).
    Output: one row per input string with location_raw, country, region,
    city, area, locations, is_multi_location, location_unparsed and the
    work-mode evidence of the string: _loc_remote_option, _loc_hybrid,
    _loc_onsite, _loc_has_place.
    """
    cfg = cfg or geo_config()
    r = cfg.rules
    sc = r["scores"]
    lookup = cfg.lookup.lazy()

    # 1. alternatives ("segments") and comma parts, with the posting's spelling kept for unknown cities
    # Rows are keyed by the string itself (_sid) and by list positions taken before
    # each explode, so nothing depends on the physical row order of a lazy plan.
    parts = (
        strings.select("location_raw")
        .unique()
        .with_columns(
            pl.col("location_raw").alias("_sid"),
            pl.col("location_raw")
            .str.replace_all(r["part_separators"], ",")
            .str.replace_all(r["segment_separators"], _SEG)
            .str.split(_SEG)
            .alias("_seg_text"),
        )
        .with_columns(pl.int_ranges(pl.col("_seg_text").list.len()).alias("_seg"))
        .explode("_seg_text", "_seg")
        .with_columns(pl.col("_seg_text").str.split(",").alias("_orig"))
        .with_columns(pl.int_ranges(pl.col("_orig").list.len()).alias("_praw"))
        .explode("_orig", "_praw")
        .with_columns(pl.col("_orig").str.strip_chars(" \t\r\n.*\"'`").alias("_orig"))
        .filter(pl.col("_orig").is_not_null() & (pl.col("_orig") != ""))
        .with_columns(_norm(pl.col("_orig")).alias("_n"))
        .with_columns(
            (pl.col("_n").str.contains(r["remote_words"]) & ~pl.col("_n").str.contains(r"\b(no|not|non) remote\b"))
            .alias("_remote"),
            pl.col("_n").str.contains(r["hybrid_words"]).alias("_hybrid"),
            pl.col("_n").str.contains(r["onsite_words"]).alias("_onsite"),
            pl.col("_n").str.replace_all(r["mode_strip"], " ").str.replace_all(r"\s+", " ").str.strip_chars().alias("_key_full"),
            pl.col("_n").str.replace_all(r["filler"], " ").str.replace_all(r"\s+", " ").str.strip_chars().alias("_key_min"),
        )
    )
    modes = parts.group_by("_sid", "_seg").agg(
        pl.col("_remote").any(), pl.col("_hybrid").any(), pl.col("_onsite").any()
    )
    place = (
        parts.filter(pl.col("_key_full") != "")
        .with_columns(
            (pl.col("_praw").rank("ordinal").over("_sid", "_seg") - 1).cast(pl.Int64).alias("_pos"),
            pl.len().over("_sid", "_seg").alias("_n_parts"),
            pl.col("_key_min").str.contains(r["timezone"]).alias("_tz"),
        )
        .select("_sid", "_seg", "_pos", "_n_parts", "_orig", "_key_full", "_key_min", "_tz")
    )

    # 2. candidates from the lookup tables (by the part with and without filler words), scored
    cand = pl.concat([
        place.join(lookup, left_on="_key_full", right_on="key", how="inner"),
        place.join(lookup, left_on="_key_min", right_on="key", how="inner"),
    ]).unique(["_sid", "_seg", "_pos", "order"])
    pos, n, kind = pl.col("_pos"), pl.col("_n_parts"), pl.col("kind")
    last = pos == n - 1
    base = (
        pl.when(kind == "city").then(pl.when(pos == 0).then(sc["city_first"]).otherwise(sc["city_later"]))
        .when((kind == "region") & ~pl.col("code")).then(
            pl.when(pos > 0).then(sc["region_name_later"]).when(n == 1).then(sc["region_name_alone"])
            .otherwise(sc["region_name_first"]))
        .when((kind == "region") & pl.col("minor")).then(
            pl.when(pos > 0).then(sc["region_code_minor_later"]).otherwise(sc["region_code_first"]))
        .when(kind == "region").then(
            pl.when(pos > 0).then(sc["region_code_later"]).when(n == 1).then(sc["region_code_alone"])
            .otherwise(sc["region_code_first"]))
        .when((kind == "country") & ~pl.col("code")).then(
            pl.when(last).then(sc["country_name_last"]).otherwise(sc["country_name_other"])
            - pl.when(pl.col("ambiguous")).then(sc["country_name_is_region_penalty"]).otherwise(0.0))
        .when(kind == "country").then(
            pl.when(n == 1).then(sc["country_code_alone"])
            .when(last & (n >= 3)).then(sc["country_code_last_of_3"])
            .when(last).then(sc["country_code_last_of_2"])
            .otherwise(sc["country_code_other"]))
        .otherwise(sc["area"])
    )
    agreeing = pl.col("country").is_not_null() & (pos.n_unique().over("_sid", "_seg", "country") >= 2)
    agree = pl.when(agreeing).then(sc["agree_bonus"]).otherwise(0.0)
    best = (
        cand.with_columns((base + agree).alias("_score"))
        .sort(["_sid", "_seg", "_pos", "_score", "order"], descending=[False, False, False, True, False])
        .unique(["_sid", "_seg", "_pos"], keep="first", maintain_order=True)
        .select("_sid", "_seg", "_pos", "kind", "country", "region", "city", "area")
    )
    parsed = (
        place.join(best, on=["_sid", "_seg", "_pos"], how="left")
        # understood but no place: a time zone ("CST", "UTC-6") or only filler words ("only", "in")
        .with_columns(
            pl.when(pl.col("kind").is_null() & pl.col("_tz")).then(pl.lit("tz"))
            .when(pl.col("kind").is_null() & (pl.col("_key_min") == "")).then(pl.lit("filler"))
            .otherwise(pl.col("kind")).alias("kind")
        )
        .with_columns(
            pl.when(kind == "city").then(pl.concat_str("country", "city"))
            .when(kind == "region").then(pl.concat_str("country", "region"))
            .when(kind == "country").then(pl.col("country"))
            .when(kind == "area").then(pl.col("area"))
            .alias("_val")
        )
    )

    # 3. one location per alternative, or one per part when the alternative is a list
    seg_kinds = parsed.group_by("_sid", "_seg").agg(
        *[pl.col("_val").filter(kind == k).n_unique().alias(f"_n_{k}") for k in _PLACE_KINDS],
        ((kind == "country").any() & (kind == "area").any()).alias("_mixed"),
    ).with_columns(
        ((pl.max_horizontal(*[pl.col(f"_n_{k}") for k in _PLACE_KINDS]) >= 2) | pl.col("_mixed")).alias("_list")
    ).select("_sid", "_seg", "_list")
    parsed = parsed.join(seg_kinds, on=["_sid", "_seg"], how="left")

    listed = (
        parsed.filter(pl.col("_list") & kind.is_in(_PLACE_KINDS))
        .select("_sid", "_seg", pl.col("_pos").alias("_sub"), "city", "region", "country", "area")
    )
    later_place = (kind.is_in(["region", "country"]) & (pos > 0)).any()

    def first_of(col: str, cond: pl.Expr) -> pl.Expr:
        """In an aggregation: `col` of the first part (by position) meeting `cond`."""
        return pl.col(col).sort_by("_pos").filter(cond.sort_by(pl.col("_pos"))).first()

    hier = (
        parsed.filter(~pl.col("_list"))
        .group_by("_sid", "_seg")
        .agg(
            first_of("city", kind == "city").alias("_c_city"),
            first_of("region", kind == "city").alias("_c_region"),
            first_of("country", kind == "city").alias("_c_country"),
            first_of("region", kind == "region").alias("_r_region"),
            first_of("country", kind == "region").alias("_r_country"),
            first_of("country", kind == "country").alias("_k_country"),
            first_of("area", kind == "area").alias("area"),
            pl.when(later_place & (pl.col("_n_parts").first() >= 2))
            .then(first_of("_orig", kind.is_null() & (pos == 0))).alias("_raw_city"),
        )
        .with_columns(pl.coalesce("_k_country", "_r_country", "_c_country").alias("country"))
        .with_columns(
            pl.coalesce(
                "_r_region",
                pl.when(pl.col("_c_country") == pl.col("country")).then(pl.col("_c_region")),
            ).alias("region"),
            pl.coalesce("_c_city", "_raw_city").alias("city"),
            pl.lit(0, dtype=pl.Int64).alias("_sub"),
        )
        .select("_sid", "_seg", "_sub", "city", "region", "country", "area")
    )
    unparsed = (
        parsed.filter(kind.is_null())
        .join(hier.select("_sid", "_seg", pl.col("city").alias("_used")), on=["_sid", "_seg"], how="left")
        .filter(~((pl.col("_pos") == 0) & (pl.col("_orig") == pl.col("_used"))).fill_null(False))
        .group_by("_sid")
        .agg(pl.col("_orig").sort_by("_seg", "_pos").str.join("; ").alias("location_unparsed"))
    )
    locs = (
        pl.concat([listed, hier.with_columns(pl.col("_sub").cast(pl.Int64))], how="vertical_relaxed")
        .join(modes, on=["_sid", "_seg"], how="full", coalesce=True)  # mode-only alternatives ("Remote") too
        .with_columns(pl.col("_sub").fill_null(0))
        .filter(
            pl.any_horizontal(pl.col("city", "region", "country", "area").is_not_null())
            | pl.col("_remote") | pl.col("_hybrid")
        )
        .with_columns(
            pl.coalesce(
                pl.when(pl.col("city").is_not_null() | pl.col("country").is_not_null() | pl.col("region").is_not_null())
                .then(pl.concat_str(pl.col("city", "region", "country"), separator=", ", ignore_nulls=True)),
                pl.col("area"),
            ).alias("_place"),
            (pl.col("city").is_not_null() | pl.col("country").is_not_null()).alias("_has_place"),
        )
        .with_columns(
            pl.when(pl.col("_remote") & ~pl.col("_hybrid")).then(pl.lit("Remote"))
            .when(pl.col("_hybrid")).then(pl.lit("Hybrid"))
            .alias("_mode_label")
        )
        .with_columns(
            pl.when(pl.col("_mode_label").is_not_null() & pl.col("_place").is_not_null())
            .then(pl.format("{} ({})", "_mode_label", "_place"))
            .otherwise(pl.coalesce("_place", "_mode_label"))
            .alias("_label")
        )
        .sort("_sid", "_seg", "_sub")
    )
    order = ("_seg", "_sub")
    primary = pl.struct("city", "region", "country").sort_by(*order).filter(pl.col("_has_place").sort_by(*order)).first()
    per_string = locs.group_by("_sid").agg(
        primary.alias("_primary"),
        pl.col("area").sort_by(*order).drop_nulls().first().alias("area"),
        pl.col("_label").sort_by(*order).drop_nulls().unique(maintain_order=True).alias("locations"),
        (pl.col("_remote") & ~pl.col("_hybrid")).any().alias("_loc_remote_option"),
        pl.col("_hybrid").any().alias("_loc_hybrid"),
        pl.col("_has_place").any().alias("_loc_has_place"),
    )
    onsite = modes.group_by("_sid").agg(pl.col("_onsite").any().alias("_loc_onsite"))
    return (
        strings.select("location_raw").unique().with_columns(pl.col("location_raw").alias("_sid"))
        .join(per_string, on="_sid", how="left")
        .join(onsite, on="_sid", how="left")
        .join(unparsed, on="_sid", how="left")
        .unnest("_primary")
        .with_columns(
            pl.col("locations").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            (pl.col("locations").list.len() >= 2).fill_null(False).alias("is_multi_location"),
            *[pl.col(c).fill_null(False) for c in ("_loc_remote_option", "_loc_hybrid", "_loc_onsite", "_loc_has_place")],
        )
        .with_columns(pl.col("area").cast(pl.String))
        .select(
            "location_raw", "country", "region", "city", "area", "locations", "is_multi_location", "location_unparsed",
            "_loc_remote_option", "_loc_hybrid", "_loc_onsite", "_loc_has_place",
        )
    )


def parse_location(lf: pl.LazyFrame, cfg: GeoConfig | None = None) -> pl.LazyFrame:
    """Add country, region, city, area, work_mode, is_multi_location, locations
    and location_unparsed (types in LOCATION_COLUMNS) to a postings frame.

    Input columns: `location_raw` (String, required), `remote` / `hybrid`
    (Boolean, optional: null = the source did not say), `text` (String,
    optional: the posting's cleaned text, read only for remote / hybrid
    phrases when nothing else decides), `country` (String, optional: an
    alpha-2 code the source states, used when the location text names no
    country, e.g. Lever's "Remote"). Existing output columns are replaced.
    Rows keep their order.
    """
    cfg = cfg or geo_config()
    lf = lf.cache()  # read twice (distinct strings, then the join back): evaluate the input once
    schema = lf.collect_schema()
    if "location_raw" not in schema:
        raise ValueError("parse_location needs a `location_raw` column (the posting's free-text location); "
                         f"the frame has {list(schema)}")
    # A `country` the source states itself (Lever's `country`) fills in when the text names none ("Remote").
    hint = pl.col("country").cast(pl.String).str.to_uppercase() if "country" in schema else pl.lit(None, dtype=pl.String)
    lf = (
        lf.with_columns(hint.alias("_country_hint"), pl.col("location_raw").cast(pl.String))
        .drop([c for c in LOCATION_COLUMNS if c in schema])
    )
    remote, hybrid = (pl.col(c).cast(pl.Boolean) if c in schema else pl.lit(None, dtype=pl.Boolean) for c in ("remote", "hybrid"))
    strings = lf.select(pl.col("location_raw").cast(pl.String)).unique().drop_nulls()
    resolved = resolve_locations(strings, cfg)
    out = lf.join(resolved, on="location_raw", how="left", maintain_order="left")

    r_true, h_true = remote.eq_missing(True), hybrid.eq_missing(True)
    both_false = remote.eq_missing(False) & hybrid.eq_missing(False)
    loc = {c: pl.col(c).fill_null(False) for c in ("_loc_remote_option", "_loc_hybrid", "_loc_onsite", "_loc_has_place")}
    decided = (
        pl.when(r_true & ~h_true).then(pl.lit("remote"))
        .when(h_true & ~r_true).then(pl.lit("hybrid"))
        .when(loc["_loc_remote_option"]).then(pl.lit("remote"))
        .when(loc["_loc_hybrid"]).then(pl.lit("hybrid"))
        .when(r_true).then(pl.lit("remote"))
        .when(loc["_loc_onsite"] | both_false).then(pl.lit("onsite"))
    )
    if "text" in schema and schema["text"] != pl.Null:
        # only the undecided rows' text is scanned (the rest is null to the regex)
        # (a literal Aho-Corasick pre-check keeps the regexes off most of those)
        undecided_text = pl.when(
            decided.is_null()
            & pl.col("text").str.contains_any(["remote", "hybrid", "anywhere", "office"], ascii_case_insensitive=True)
        ).then(pl.col("text"))
        text_remote = undecided_text.str.contains(_ascii_b(cfg.rules["text_remote"])).fill_null(False)
        text_hybrid = undecided_text.str.contains(_ascii_b(cfg.rules["text_hybrid"])).fill_null(False)
    else:
        text_remote = text_hybrid = pl.lit(False)
    work_mode = (
        pl.when(decided.is_not_null()).then(decided)
        .when(text_hybrid).then(pl.lit("hybrid"))
        .when(text_remote).then(pl.lit("remote"))
        .when(loc["_loc_has_place"]).then(pl.lit("onsite"))
        .otherwise(pl.lit("unknown"))
    )
    return (
        out.with_columns(
            pl.coalesce("country", "_country_hint").alias("country"),
            work_mode.alias("work_mode"),
            pl.col("locations").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("is_multi_location").fill_null(False),
        )
        .drop("_loc_remote_option", "_loc_hybrid", "_loc_onsite", "_loc_has_place", "_country_hint")
    )
