"""transforms.location: free-text locations and remote / hybrid flags →
country, region, city, work mode and multi-location lists."""
from __future__ import annotations

import json

import polars as pl
import pytest
from conftest import shared_data

from transforms.location import LOCATION_COLUMNS, WORK_MODES, geo_config, parse_location


def parse(rows: list[dict]) -> list[dict]:
    return parse_location(pl.LazyFrame(rows, schema_overrides={"location_raw": pl.String})).collect().to_dicts()


def one(location_raw, **extra) -> dict:
    return parse([{"location_raw": location_raw, **extra}])[0]


# location string -> (country, region, city, work_mode, locations)
EXAMPLES = {
    "Remote - US": ("US", None, None, "remote", ["Remote (US)"]),
    "Hybrid (London)": ("GB", "ENG", "London", "hybrid", ["Hybrid (London, ENG, GB)"]),
    "New York, NY": ("US", "NY", "New York", "onsite", ["New York, NY, US"]),
    "San Francisco, CA or Remote": ("US", "CA", "San Francisco", "remote", ["San Francisco, CA, US", "Remote"]),
    "Berlin, Germany": ("DE", "BE", "Berlin", "onsite", ["Berlin, BE, DE"]),
    "Toronto, ON, Canada": ("CA", "ON", "Toronto", "onsite", ["Toronto, ON, CA"]),
    "Remote (EMEA)": (None, None, None, "remote", ["Remote (EMEA)"]),
    "Anywhere": (None, None, None, "remote", ["Remote (WORLDWIDE)"]),
    "NYC; SF; Remote": ("US", "NY", "New York", "remote", ["New York, NY, US", "San Francisco, CA, US", "Remote"]),
    "New York, NY | Austin, TX": ("US", "NY", "New York", "onsite", ["New York, NY, US", "Austin, TX, US"]),
    # codes that are both a state and a country, settled by the rest of the string
    "Austin, TX, US": ("US", "TX", "Austin", "onsite", ["Austin, TX, US"]),
    "Berlin, DE": ("DE", "BE", "Berlin", "onsite", ["Berlin, BE, DE"]),
    "Toronto, ON, CA": ("CA", "ON", "Toronto", "onsite", ["Toronto, ON, CA"]),
    "Portland, OR": ("US", "OR", "Portland", "onsite", ["Portland, OR, US"]),
    "Atlanta, Georgia": ("US", "GA", "Atlanta", "onsite", ["Atlanta, GA, US"]),
    "Tbilisi, Georgia": ("GE", None, "Tbilisi", "onsite", ["Tbilisi, GE"]),
    "London, England, GB": ("GB", "ENG", "London", "onsite", ["London, ENG, GB"]),
    "Amsterdam, North Holland, NL": ("NL", "NH", "Amsterdam", "onsite", ["Amsterdam, NH, NL"]),
    "Melbourne, Victoria": ("AU", "VIC", "Melbourne", "onsite", ["Melbourne, VIC, AU"]),
    "Chennai, TN": ("IN", "TN", "Chennai", "onsite", ["Chennai, TN, IN"]),          # not Tennessee
    "Amsterdam, NH": ("NL", "NH", "Amsterdam", "onsite", ["Amsterdam, NH, NL"]),    # not New Hampshire
    "São Paulo, Brazil": ("BR", None, "São Paulo", "onsite", ["São Paulo, BR"]),
    # an unknown city before a known state is kept as written
    "Springfield, IL": ("US", "IL", "Springfield", "onsite", ["Springfield, IL, US"]),
    "London, Ontario": ("CA", "ON", "London", "onsite", ["London, ON, CA"]),
    "Berlin or REMOTE (EU)": ("DE", "BE", "Berlin", "remote", ["Berlin, BE, DE", "Remote (EUROPE)"]),
    "On-site - Chicago": ("US", "IL", "Chicago", "onsite", ["Chicago, IL, US"]),
    "Washington, D.C.": ("US", "DC", "Washington", "onsite", ["Washington, DC, US"]),
}


@pytest.fixture(scope="module")
def parsed_examples() -> dict[str, dict]:
    """All EXAMPLES parsed in one frame (one plan, one collect)."""
    return {r["location_raw"]: r for r in parse([{"location_raw": s} for s in EXAMPLES])}


@pytest.mark.parametrize("raw", list(EXAMPLES))
def test_location_strings(parsed_examples, raw):
    country, region, city, mode, locations = EXAMPLES[raw]
    out = parsed_examples[raw]
    assert (out["country"], out["region"], out["city"], out["work_mode"]) == (country, region, city, mode)
    assert out["locations"] == locations
    assert out["is_multi_location"] == (len(locations) > 1)
    assert out["location_unparsed"] is None


def test_area_lists_and_time_zones():
    lists = parse([{"location_raw": s} for s in (
        "USA, Canada, USA timezones", "Americas, Europe, Israel", "USA, CST (UTC-6)", "Remote (EMEA)")])
    assert lists[0]["locations"] == ["US", "CA"] and lists[0]["country"] == "US" and lists[0]["is_multi_location"]
    assert lists[1]["locations"] == ["AMERICAS", "EUROPE", "IL"] and lists[1]["area"] == "AMERICAS"
    assert lists[2]["locations"] == ["US"] and lists[2]["location_unparsed"] is None  # CST / UTC-6 understood
    assert lists[3]["area"] == "EMEA" and lists[3]["country"] is None


def test_unknown_parts_are_reported():
    out = one("Mos Eisley, Tatooine")
    assert out["country"] is None and out["location_unparsed"] == "Mos Eisley; Tatooine"


WORK_MODE_CASES = [
    ({"remote": True}, "Austin, TX", "remote"),                        # the source's flag wins
    ({"hybrid": True}, "Austin, TX", "hybrid"),
    ({"remote": False, "hybrid": False}, None, "onsite"),              # Lever workplaceType on-site
    ({"remote": True, "hybrid": True}, "Hybrid - London", "hybrid"),   # both flags: the text decides
    ({}, "Hybrid - remote 2 days a week", "hybrid"),
    ({}, None, "unknown"),
    ({}, "Remote", "remote"),
    ({"text": "About the role\nThis is a hybrid role, 3 days a week in the office."}, "Austin, TX", "hybrid"),
    ({"text": "This role is fully remote within the US."}, None, "remote"),
    ({"text": "You will monitor remote sites."}, "Austin, TX", "onsite"),  # loose "remote" words do not count
    ({"text": "This role is fully remote."}, "On-site - Austin, TX", "onsite"),  # the location says on-site
]


@pytest.fixture(scope="module")
def parsed_work_modes() -> list[dict]:
    rows = [{"location_raw": loc, "remote": f.get("remote"), "hybrid": f.get("hybrid"), "text": f.get("text")}
            for f, loc, _ in WORK_MODE_CASES]
    return parse_location(pl.LazyFrame(rows, schema={"location_raw": pl.String, "remote": pl.Boolean,
                                                      "hybrid": pl.Boolean, "text": pl.String})).collect().to_dicts()


@pytest.mark.parametrize("i", range(len(WORK_MODE_CASES)), ids=[f"{c[1]}-{c[2]}" for c in WORK_MODE_CASES])
def test_work_mode_precedence(parsed_work_modes, i):
    flags, location, mode = WORK_MODE_CASES[i]
    assert parsed_work_modes[i]["work_mode"] == mode, (flags, location)


def test_source_country_fills_a_location_without_one():
    lever_remote, conflict = parse([
        {"location_raw": "Remote", "remote": True, "country": "US"},
        {"location_raw": "Berlin, Germany", "country": None},
    ])
    assert lever_remote["country"] == "US" and lever_remote["work_mode"] == "remote"
    assert conflict["country"] == "DE"


def test_rows_keep_their_order_count_and_types():
    rows = [{"location_raw": s, "remote": None} for s in ("Austin, TX", None, "Remote - US", "Austin, TX")] * 3
    out = parse_location(pl.LazyFrame(rows, schema_overrides={"location_raw": pl.String, "remote": pl.Boolean})).collect()
    assert out.height == 12 and out["location_raw"].to_list() == [r["location_raw"] for r in rows]
    assert {c: out.schema[c] for c in LOCATION_COLUMNS} == LOCATION_COLUMNS
    assert set(out["work_mode"]) <= set(WORK_MODES)


def test_lookup_tables_load_and_agree():
    cfg = geo_config()
    kinds = set(cfg.lookup["kind"])
    assert kinds == {"city", "region", "country", "area"}
    assert cfg.lookup.filter(pl.col("kind") == "country")["country"].n_unique() == 249
    assert cfg.country_currency["DE"] == "EUR" and cfg.country_currency["IN"] == "INR"


# --------------------------------------------------------------------------- real and generated postings

REMOTIVE_FLOOR = 0.95  # share of candidate_required_location strings understood completely


def test_remotive_recording_candidate_locations():
    jobs = json.loads(shared_data("remotive", "remote-jobs-2026-07.json").read_text())["jobs"]
    rows = [{"location_raw": j["candidate_required_location"], "remote": True} for j in jobs
            if (j.get("candidate_required_location") or "").strip()]
    out = parse_location(pl.LazyFrame(rows)).collect()
    understood = out.filter(pl.col("location_unparsed").is_null() & (pl.col("country").is_not_null() | pl.col("area").is_not_null()))
    share = understood.height / out.height
    print(f"\nRemotive: {understood.height}/{out.height} candidate_required_location strings understood ({share:.1%}); "
          f"not: {out.filter(pl.col('location_unparsed').is_not_null())['location_raw'].to_list()}")
    assert share >= REMOTIVE_FLOOR
    assert set(out["work_mode"]) == {"remote"}
    by_raw = dict(zip(out["location_raw"], out["country"]))
    assert by_raw["USA"] == "US" and by_raw["Brazil"] == "BR" and by_raw["Canada"] == "CA"


def test_generated_board_locations_recover_the_truth():
    """Greenhouse-style labels of generated postings ("Austin, TX", "London, United Kingdom (Hybrid)", "Remote - US")."""
    from snapshot import render
    from snapshot.generator import Snapshot
    from snapshot.planted import CALENDAR

    snap = Snapshot()
    postings = [p for w in CALENDAR[:2] for p in snap.postings_created(w)]
    rows = []
    for p in postings:
        label = render._gh_location(p)
        low = label.lower()
        rows.append({"location_raw": label, "remote": True if "remote" in low else None, "hybrid": True if "hybrid" in low else None,
                     "t_country": p.location.country, "t_city": p.location.city,
                     "t_region": p.location.region if p.location.country in ("US", "CA") and p.location.city else None,
                     "t_mode": p.workplace.replace("on-site", "onsite")})
    out = parse_location(pl.LazyFrame(rows)).collect()
    ok = (
        (pl.col("country") == pl.col("t_country"))
        & pl.col("city").eq_missing(pl.col("t_city"))
        & (pl.col("t_region").is_null() | (pl.col("region") == pl.col("t_region")))
        & (pl.col("work_mode") == pl.col("t_mode"))
    ).fill_null(False)
    share = out.select(ok.mean()).item()
    print(f"\ngenerated Greenhouse locations: {share:.1%} exact on country, region, city and work mode")
    assert out.height >= 100 and share == 1.0
