"""Credly badge templates of issuing organisations (../shared/formats/credly.md).

Default (no token): the public listing behind an organisation's badge page,
`{base}/organizations/{org}/badges.json?page=N&per=page_size` — undocumented,
inferred from community scrapers. With `api_token_env: NAME` in config and
the variable set, the documented issuer API
`https://api.credly.com/v1/organizations/{org}/badge_templates?page=N`
with HTTP Basic auth (token as user name). Both answer
`{data: [templates], metadata: {current_page, total_pages, next_page_url, …}}`;
pages are followed by `next_page_url`, else while current_page < total_pages.

Template fields used (documented in the issuer API): id, name, description,
state, cost (Free/Paid), level, time_to_earn, type_category, url;
`owner.name` (inferred) for the issuer, else the organisation from config.
Archived or draft templates are kept with their `status` (the transform
decides what counts as offered).
"""
from __future__ import annotations

import base64
import os
from urllib.parse import quote

from scrapers.spiders.base import CredwatchSpider

API = "https://api.credly.com/v1"


class CredlySpider(CredwatchSpider):
    name = "credly"

    def __init__(self, *args, page_size=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_size = self.int_option("page_size", 50, page_size, maximum=100)
        var = self.option("api_token_env")
        self.token = (os.environ.get(str(var)) or "").strip() if var and not self.snapshot_url else ""

    def first_requests(self):
        for org in self.targets("organizations"):
            yield self.page_request(org, 1)

    def page_request(self, org: str, page: int, url: str | None = None):
        if url is None:
            if self.token:
                url = f"{API}/organizations/{quote(org)}/badge_templates?page={page}"
            else:
                url = self.url(f"/organizations/{quote(org)}/badges.json?page={page}&per={self.page_size}")
        headers = {}
        if self.token:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{self.token}:".encode()).decode()
        return self.request(self.snapshot_rewrite(url), self.parse_page, target=org, expect_json=True,
                            headers=headers, cb_kwargs={"org": org, "page": page})

    def parse_page(self, response, org: str, page: int):
        body = self.load_json(response)
        if body is None:
            return
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            self.fail(response.url, f"is not a page of badge templates (no `data` list): {str(body)[:200]}")
            return
        new = self.new_entries(org, body["data"], lambda t: t.get("id"))
        for template in new:
            yield self.to_item(response, org, template)
        meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        current, total = meta.get("current_page") or page, meta.get("total_pages") or page
        if not new and body["data"]:
            if (again := self.refetch_once(response)) is not None:
                yield again
            return
        if meta.get("next_page_url"):
            yield self.page_request(org, page + 1, str(meta["next_page_url"]))
        elif isinstance(current, int) and isinstance(total, int) and current < total:
            yield self.page_request(org, page + 1)

    def to_item(self, response, org: str, t: dict):
        owner = t.get("owner") if isinstance(t.get("owner"), dict) else {}
        return self.offering(
            response,
            source_id=str(t["id"]) if t.get("id") not in (None, "") else None,
            url=t.get("url") or t.get("global_activity_url"),
            title=t.get("name"),
            provider=owner.get("name") or org,
            offering_type="badge_" + str(t.get("type_category") or "unknown").lower(),
            level=t.get("level"),
            language=None,
            description=t.get("description"),
            duration_raw=t.get("time_to_earn"),
            price_raw=t.get("cost"),
            status=t.get("state"),
            last_modified=t.get("updated_at"),
        )
