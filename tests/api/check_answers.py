"""Checks real answers of a running Utfall web app against its OpenAPI document.

Usage: python check_answers.py URL COOKIE [--document FILE]

Schemathesis makes up its inputs, so it rarely names a KPI that exists or a period with data
and sees few 200 answers. This asks a fixed list of sensible questions instead (every KPI of
the scorecard, two of them at every grain, periods of every kind, every attribution conversion
and grouping, every KPI's mix model, a plan, a few wrong questions), and checks each answer's
status, content type and body against the schema the document gives for that status.
`--document FILE` holds the answers to a document on disk instead of the served one (to try
an edited schema before the binary is rebuilt).
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from jsonschema import Draft202012Validator

GRAINS = ["day", "week", "month", "quarter", "fiscal_quarter", "year", "fiscal_year"]
CONVERSIONS = ["leads", "mqls", "sqls", "opportunities", "pipeline", "won_deals"]
BYS = ["channel", "campaign", "activity"]


class Client:
    def __init__(self, url, cookie):
        self.url = url.rstrip("/")
        self.cookie = cookie

    def get(self, path, query=None):
        target = self.url + path
        if query:
            target += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(target, headers={"Cookie": self.cookie})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read()


def resolve(document, answer):
    ref = answer.get("$ref")
    if ref:
        node = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node
    return answer


def questions(client):
    """The (operation path, concrete path, query, expected statuses) to ask; a query is a dict
    or a list of pairs (to send a name twice)."""
    asked = [
        ("/api/me", "/api/me", {}, {200}),
        ("/api/me", "/api/me", {"lang": "en"}, {200}),
        ("/api/scorecard", "/api/scorecard", {}, {200}),
        ("/api/goals", "/api/goals", {}, {200}),
        ("/api/activities", "/api/activities", {}, {200}),
        ("/api/data", "/api/data", {}, {200}),
        ("/api/mmm", "/api/mmm", {}, {200}),
        ("/api/mmm/plan", "/api/mmm/plan", {"budget": "100000"}, {200, 400}),
        ("/api/mmm/plan", "/api/mmm/plan", {"budget": "-5"}, {400}),
        ("/api/mmm/plan", "/api/mmm/plan", {}, {400}),
        ("/api/mmm", "/api/mmm", {"kpi": "no_such_kpi"}, {404}),
        ("/api/kpi/{id}", "/api/kpi/no_such_kpi", {}, {404}),
        ("/api/kpi/{id}", "/api/kpi/no_such_kpi", {"grain": "week"}, {404}),
        ("/api/scorecard", "/api/scorecard", {"period": "not a period"}, {400}),
        ("/api/attribution", "/api/attribution", {"by": "nothing"}, {400}),
        # Odd inputs: each is answered, in the documented shape.
        ("/api/scorecard", "/api/scorecard", {"period": b"\xff"}, {400}),
        ("/api/scorecard", "/api/scorecard", {"period": "9999-12-31"}, {400}),  # outside 1900–2998: refused
        ("/api/scorecard", "/api/scorecard", {"period": "0001-01-01..9999-12-31"}, {400}),
        ("/api/kpi/{id}", "/api/kpi/%FF", {}, {400, 404}),
        ("/api/kpi/{id}", "/api/kpi/no_such_kpi", {"window": "abc"}, {400, 404}),
        ("/api/kpi/{id}", "/api/kpi/no_such_kpi", [("window", "1"), ("window", "2")], {400, 404}),
        ("/api/mmm/plan", "/api/mmm/plan", {"budget": ""}, {400}),
    ]
    for period in ["FY2026-Q1", "2026-10", "2026-W46", "2026", "2025-11-20", "2026-01-01..2026-03-31"]:
        asked.append(("/api/scorecard", "/api/scorecard", {"period": period}, {200}))
        asked.append(("/api/goals", "/api/goals", {"period": period}, {200}))
    status, _, body = client.get("/api/scorecard")
    kpis = sorted({row["kpi"] for row in json.loads(body)["kpis"]}) if status == 200 else []
    for kpi in kpis:
        asked.append(("/api/kpi/{id}", f"/api/kpi/{kpi}", {}, {200}))
        asked.append(("/api/mmm", "/api/mmm", {"kpi": kpi}, {200}))
    sample = [kpi for kpi in ("leads", "won_revenue") if kpi in kpis] or kpis[:2]
    for kpi in sample[:1]:
        asked.append(("/api/kpi/{id}", f"/api/kpi/{kpi}", {"grain": "fortnight"}, {400}))
    for grain in GRAINS:
        for kpi in sample:
            asked.append(("/api/kpi/{id}", f"/api/kpi/{kpi}", {"grain": grain, "window": "400"}, {200}))
    # Every answer has every model (`model` only orders the rows), and each attribution run
    # costs seconds on a fresh server: each conversion, each grouping, one period.
    for conversion in CONVERSIONS:
        asked.append(("/api/attribution", "/api/attribution", {"conversion": conversion}, {200}))
    for by in BYS:
        asked.append(("/api/attribution", "/api/attribution", {"conversion": "leads", "by": by}, {200}))
    asked.append(("/api/attribution", "/api/attribution", {"model": "first", "period": "FY2026-Q1"}, {200}))
    return asked


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("cookie")
    parser.add_argument("--document")
    arguments = parser.parse_args()
    client = Client(arguments.url, arguments.cookie)
    if arguments.document:
        with open(arguments.document) as file:
            document = json.load(file)
    else:
        status, _, body = client.get("/api/openapi.json")
        document = json.loads(body)
    failures = []
    asked = questions(client)
    started = time.monotonic()
    slowest = []
    for operation, path, query, expected in asked:
        asked_at = time.monotonic()
        status, kind, body = client.get(path, query)
        where = path + ("?" + urllib.parse.urlencode(query) if query else "")
        slowest.append((time.monotonic() - asked_at, where))
        if status not in expected:
            failures.append(f"GET {where}: {status}, expected {sorted(expected)}: {body[:300]!r}")
        answers = document["paths"][operation]["get"]["responses"]
        if str(status) not in answers:
            failures.append(f"GET {where}: {status} is not documented")
            continue
        answer = resolve(document, answers[str(status)])
        if not kind.startswith("application/json"):
            failures.append(f"GET {where}: {status} answered `{kind}`: {body[:300]!r}")
            continue
        schema = answer["content"]["application/json"]["schema"]
        errors = sorted(
            Draft202012Validator(schema).iter_errors(json.loads(body)), key=lambda e: str(list(e.path))
        )
        for error in errors[:5]:
            at = "/".join(str(p) for p in error.absolute_path)
            failures.append(f"GET {where}: {status} body at `/{at}`: {error.message[:300]}")
    seconds = time.monotonic() - started
    for failure in failures:
        print(f"error: {failure}")
    for seconds_taken, where in sorted(slowest, reverse=True)[:3]:
        print(f"slowest: GET {where} in {seconds_taken:.1f} s")
    print(
        f"{len(asked)} real answers checked against the document in {seconds:.1f} s: "
        f"{len(failures)} problems"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
