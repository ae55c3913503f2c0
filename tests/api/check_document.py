"""Checks the OpenAPI document of a running Utfall web app.

Usage: python check_document.py URL|FILE

Fetches URL/api/openapi.json (no login needed), or reads FILE, and fails unless it is an
OpenAPI 3.1 document that openapi-spec-validator accepts, every schema in it is a valid JSON
Schema 2020-12 schema (the dialect of OpenAPI 3.1), and every operation documents the answers
it can give: 200, 400, 401 when it needs a session, 404 when its path names something.
"""

import json
import os
import sys
import urllib.request

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from openapi_spec_validator import OpenAPIV31SpecValidator


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        kind = response.headers.get("Content-Type", "")
        if not kind.startswith("application/json"):
            raise SystemExit(f"error: `{url}` answered `{kind}`, not JSON")
        return json.load(response)


def schemas(document):
    """Every (where, schema) of the document's parameters and answers."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                yield f"{where} parameter `{parameter['name']}`", parameter["schema"]
            for status, answer in operation.get("responses", {}).items():
                for kind, content in answer.get("content", {}).items():
                    yield f"{where} {status} {kind}", content["schema"]
    for name, answer in document.get("components", {}).get("responses", {}).items():
        for kind, content in answer.get("content", {}).items():
            yield f"components.responses.{name} {kind}", content["schema"]


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: check_document.py URL|FILE")
    if os.path.isfile(sys.argv[1]):
        url = sys.argv[1]
        with open(url) as file:
            document = json.load(file)
    else:
        url = sys.argv[1].rstrip("/") + "/api/openapi.json"
        document = fetch(url)
    problems = []
    version = str(document.get("openapi", ""))
    if not version.startswith("3.1."):
        problems.append(f"`openapi` is `{version}`, not 3.1.x")
    for error in OpenAPIV31SpecValidator(document).iter_errors():
        problems.append(f"openapi-spec-validator: {error.message} at {list(error.path)}")
    n_schemas = 0
    for where, schema in schemas(document):
        if "$ref" in schema:
            continue
        n_schemas += 1
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            problems.append(f"{where}: not a JSON Schema: {error.message}")
    n_operations = 0
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            n_operations += 1
            statuses = set(operation.get("responses", {}))
            missing = {"200", "400"} - statuses
            if "{" in path:
                missing |= {"404"} - statuses
            if operation.get("security"):
                missing |= {"401"} - statuses
            if missing:
                problems.append(
                    f"{method.upper()} {path} does not document {', '.join(sorted(missing))}"
                )
    for problem in problems:
        print(f"error: {problem}")
    if problems:
        print(f"the document at `{url}` has {len(problems)} problems")
        sys.exit(1)
    print(
        f"the document at `{url}` is valid OpenAPI {version}: "
        f"{n_operations} operations, {n_schemas} schemas"
    )


if __name__ == "__main__":
    main()
