"""Spiders on REAL recorded responses, read in place from ../shared/data (tests-only
data: never copied into this repository; each test skips visibly when the folder
is absent, e.g. in a fresh clone).

- Greenhouse: greenhouse-history/jobs.jsonl.gz holds the list-form job objects
  the boards API returned (one line per board, id, updated_at). The first 30,000
  lines (58 real boards) are rebuilt into board responses
  `{"jobs": [...], "meta": {"total": n}}` — the latest version of each job, as
  the README's reconstruction does — and parsed by the Greenhouse spider.
- Remotive: remotive/remote-jobs-2026-07.json, one real `remote-jobs` response.
"""
from __future__ import annotations

import gzip
import hashlib
import itertools
import json

import pytest
from scrapy.http import Request, TextResponse

from scrapers.items import PostingItem
from scrapers.pipelines import PiiScrubPipeline, ValidationPipeline
from scrapers.spiders.jobs_greenhouse import GreenhouseSpider
from scrapers.spiders.jobs_remotive import RemotiveSpider
from tests.conftest import shared_data

WEEK = "2026-W30"
GREENHOUSE_LINES = 30_000


@pytest.fixture(autouse=True)
def tmp_lake(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDWATCH_LAKE", str(tmp_path / "lake"))


def response(url: str, body: bytes) -> TextResponse:
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


@pytest.fixture(scope="module")
def greenhouse_boards() -> dict[str, list[dict]]:
    """{board: [job objects as the API listed them]} rebuilt from the recorded history."""
    path = shared_data("greenhouse-history", "jobs.jsonl.gz")
    boards: dict[str, dict[int, dict]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, GREENHOUSE_LINES):
            job = json.loads(line)
            board = job.pop("board")
            boards.setdefault(board, {})[job["id"]] = job  # sorted by updated_at: the last one wins
    return {board: list(jobs.values()) for board, jobs in boards.items()}


def test_real_greenhouse_board_responses_parse(greenhouse_boards):
    assert len(greenhouse_boards) >= 50
    spider = GreenhouseSpider(source="greenhouse", week=WEEK)
    total, deadlines, languages = 0, 0, set()
    for board, jobs in greenhouse_boards.items():
        body = json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}}, ensure_ascii=False).encode()
        url = f"https://boards-api.greenhouse.io/v1/boards/{board}/jobs?content=true"
        items = list(spider.parse_board(response(url, body), token=board))
        assert all(isinstance(i, PostingItem) for i in items) and len(items) == len(jobs), board
        assert spider.counters["credwatch/failed_requests/critical"] == 0
        for job, item in zip(jobs, items):
            assert item.source_id == str(job["id"]) and item.title == job["title"]
            assert item.url == job["absolute_url"]
            assert item.company == (job.get("company_name") or board)
            assert item.location_raw == ((job.get("location") or {}).get("name") or "").strip() or None
            assert item.date_posted == (job.get("first_published") or job["updated_at"])[:10]
            assert item.language == job.get("language")
            assert item.payload_sha256 == hashlib.sha256(body).hexdigest()
            if job.get("application_deadline"):
                deadlines += 1
                assert item.valid_through == job["application_deadline"][:10]
            languages.add(item.language)
        total += len(items)
    assert total >= 9_000 and deadlines >= 1 and {"en", "fr"} <= languages


def test_real_greenhouse_list_form_without_content_is_quarantined_not_stored(greenhouse_boards):
    """The recordings are the list form (no `content`): such a posting has no
    description, so it must be quarantined with that reason, not stored."""
    spider = GreenhouseSpider(source="greenhouse", week=WEEK)
    board, jobs = next(iter(greenhouse_boards.items()))
    body = json.dumps({"jobs": jobs[:5], "meta": {"total": 5}}).encode()
    items = list(spider.parse_board(response(f"https://boards-api.greenhouse.io/v1/boards/{board}/jobs", body),
                                    token=board))

    class Crawler:
        def __init__(self):
            self.spider = spider
            self.stats = type("S", (), {"inc_value": lambda *a, **k: None})()

    from scrapy.exceptions import DropItem

    validation = ValidationPipeline(Crawler())
    for item in items:
        with pytest.raises(DropItem, match="missing required field\\(s\\): description_html"):
            validation.process_item(item)
    assert spider.partition.quarantined == 5
    assert spider.partition.quarantine_reasons == {"missing required field(s): description_html": 5}


def test_real_remotive_response_parses():
    path = shared_data("remotive", "remote-jobs-2026-07.json")
    raw = path.read_bytes()
    recorded = json.loads(raw)
    spider = RemotiveSpider(source="remotive", week=WEEK)
    items = list(spider.parse_jobs(response("https://remotive.com/api/remote-jobs", raw)))
    assert len(items) == recorded["job-count"] == len(recorded["jobs"]) == 31
    assert len({i.source_id for i in items}) == 31
    pii, validation = PiiScrubPipeline(), None
    for job, item in zip(recorded["jobs"], items):
        assert item.source_id == str(job["id"])  # a string in the real payload, an int in the README
        assert item.url == job["url"] and item.url.startswith("https://remotive.com/remote-jobs/")
        assert (item.title, item.company) == (job["title"], job["company_name"])
        assert item.date_posted == job["publication_date"][:10] and "2026-07-04" <= item.date_posted <= "2026-07-28"
        assert item.description_html == job["description"] and item.description_html.lstrip().startswith("<")
        assert item.remote is True and item.location_raw == (job["candidate_required_location"] or None)
        assert item.employment_type == (job["job_type"] or None)
        assert item.salary_raw == (job["salary"].strip() or None)
        assert not [n for n in PostingItem.REQUIRED if not getattr(pii.process_item(item), n)]
    salaries = {i.salary_raw: (i.salary_min, i.salary_max, i.salary_currency, i.salary_period) for i in items}
    assert salaries["$18 - $22/hr"] == (18.0, 22.0, "USD", "hour")
    assert salaries["$150k - $230k"] == (150000.0, 230000.0, "USD", None)
    assert salaries["$45,000 - $50,000"] == (45000.0, 50000.0, "USD", None)
    assert validation is None  # (the pipeline itself is exercised on the Greenhouse recordings above)
