"""A generic crawler of the app's GET routes, for the leak tests.

It walks every GET route of the app (API and pages, read from the app itself, so a workflow
added later is crawled without changing this file):

- routes without path parameters as they are, and each page route with a ``{suffix:path}``
  with its ``.json`` and ``.csv`` twins;
- routes that take a query parameter ``q`` once more with a search term (``search=``);
- routes with path parameters with ids discovered in the JSON of the list endpoints and page
  twins (values of keys named like the parameter, ``id``, ``key``...), ids found next to the
  marker first; each page detail also with its twins.

The set of URLs is computed once (``plan``) by a principal who may read everything seeded, then
replayed by others, so an item hidden from them is still asked for by its id.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from tradepolicy.api.security import iter_routes

PER_PARAM = 4  # ids tried per path parameter (plus every id found beside the marker)


@dataclass
class Harvest:
    """Values seen in JSON bodies, by key; ``priority`` holds those found in an object with the marker."""

    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    priority: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, body: Any, marker: str) -> None:
        def walk(obj: Any, hot: bool) -> None:
            if isinstance(obj, dict):
                hot = hot or marker in json.dumps(obj, default=str)
                for k, v in obj.items():
                    if isinstance(v, str | int) and not isinstance(v, bool) and 0 < len(str(v)) <= 120:
                        target = self.priority if hot else self.values
                        if str(v) not in target[k]:
                            target[k].append(str(v))
                    else:
                        walk(v, hot)
            elif isinstance(obj, list):
                for item in obj:
                    walk(item, hot)

        walk(body, False)

    def ids_for(self, param: str) -> list[str]:
        keys = [param]
        if param.endswith("_id"):
            keys += [param[:-3], "id"]
        keys += {"name": ["id"], "suffix": ["id", "key"], "key": ["id"], "kind": []}.get(param, ["id"])
        out: list[str] = []
        for k in keys:
            out += [v for v in self.priority.get(k, []) if v not in out]
        plain: list[str] = []
        for k in keys:
            plain += [v for v in self.values.get(k, []) if v not in out and v not in plain]
        return out + plain[:PER_PARAM]


def get_routes(app: Any, skip: Iterable[str] = ()) -> list[Any]:
    """Return the GET routes of the app (RouteInfo), minus the paths in ``skip``."""
    skipped = set(skip)
    return [r for r in iter_routes(app) if "GET" in r.methods and r.path not in skipped]


def _params(path: str) -> list[str]:
    return re.findall(r"\{([^}:]+)(?::[^}]*)?\}", path)


def _fill(path: str, values: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        return quote(values[name], safe="") if name in values else ""

    return re.sub(r"\{([^}:]+)(?::[^}]*)?\}", sub, path)


def _twins(url: str) -> list[str]:
    return [url, url + ".json", url + ".csv"]


def plan(client: Any, app: Any, marker: str, search: str, skip: Iterable[str] = ()) -> list[str]:
    """Return the URLs to crawl, discovering ids with ``client`` (a principal who may read the seeds)."""
    routes = get_routes(app, skip)
    harvest = Harvest()  # everything seen (its ``priority`` part: ids beside the marker)
    lists: dict[str, Harvest] = defaultdict(Harvest)  # by list URL (a page's .json twin without .json)
    urls: list[str] = []

    def add(found: list[str]) -> None:
        urls.extend(u for u in found if u not in urls)

    def fetch_json(url: str) -> None:
        r = client.get(url)
        if r.status_code == 200 and "json" in r.headers.get("content-type", ""):
            lists[url.removesuffix(".json")].add(r.json(), marker)
            harvest.add(r.json(), marker)

    def ids(prefix: str, param: str) -> list[str]:
        # ids of the list whose URL is the longest prefix of the route's static part, then the
        # ids found beside the marker anywhere; else whatever was seen.
        owners = sorted((u for u in lists if prefix == u or prefix.startswith(u + "/")), key=len, reverse=True)
        local = lists[owners[0]].ids_for(param) if owners else []
        hot = harvest.priority.get(param, []) + [v for k in ("id", "key") for v in harvest.priority.get(k, [])]
        return list(dict.fromkeys(local + hot)) or harvest.ids_for(param)

    # 1. Routes without path parameters (a page with a {suffix:path}: the page and its twins).
    for r in routes:
        params = _params(r.path)
        if params and params != ["suffix"]:
            continue
        base = _fill(r.path, {})
        add(_twins(base) if params else [base])
        if base.startswith("/api/"):
            fetch_json(base)
        elif params:
            fetch_json(base + ".json")
        if any(p.name == "q" for p in r.route.dependant.query_params):
            add([base + "?" + urlencode({"q": search})])
    # 2. Routes with path parameters, and page details under a {suffix:path} (/cases/ID and twins).
    for r in routes:
        params = _params(r.path)
        if not params:
            continue
        prefix = r.path.split("{")[0].rstrip("/")
        if params == ["suffix"]:
            for v in ids(prefix, "suffix"):
                add(_twins(f"{prefix}/{quote(v, safe='')}"))
            continue
        choices = [[(p, v) for v in ids(prefix, p)] for p in params]
        for combo in itertools.islice(itertools.product(*choices), 40):
            add([_fill(r.path, dict(combo))])
    return urls


def read(client: Any, url: str) -> tuple[int, str]:
    """Return (status, everything a client sees: headers and body as text)."""
    r = client.get(url, headers={"accept": "text/html"} if not url.startswith("/api/") else {})
    head = "\n".join(f"{k}: {v}" for k, v in r.headers.items())
    return r.status_code, head + "\n" + r.text
