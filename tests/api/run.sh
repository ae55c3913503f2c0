#!/usr/bin/env bash
# Checks the JSON API of a running Utfall web app against its OpenAPI 3.1 document.
#
#   tests/api/run.sh URL COOKIE
#
# URL is the web app (`http://127.0.0.1:PORT`), COOKIE the session cookie of a logged-in user
# (`utfall_session=…`, or just its value). The steps:
#   1. the document at URL/api/openapi.json is valid OpenAPI 3.1 (openapi-spec-validator) and
#      every schema in it is valid JSON Schema 2020-12;
#   2. fixed, sensible questions (every KPI, grain, attribution grouping…) get answers that
#      match the document;
#   3. schemathesis fuzzes every operation, bounded and seeded: no 5xx, documented statuses and
#      content types, answers that match their schemas.
# Exits non-zero when any step fails. The tools live in a venv of their own, made once at
# ${UTFALL_VENV:-target/api-venv} from tests/api/requirements.txt.
#
# Knobs:
#   UTFALL_VENV            the venv (default target/api-venv)
#   UTFALL_API_PYTHON      the interpreter that makes it (default python3)
#   UTFALL_API_EXAMPLES    schemathesis's test cases per operation and phase (default 20)
#   UTFALL_API_SEED        schemathesis's seed (default 1)
#   UTFALL_API_MAX_SECONDS the longest an answer may take (default 15; 5 s more and the request
#                          is given up)
#   UTFALL_API_REPORT      where schemathesis writes JUnit and NDJSON (default target/api-report)
#   UTFALL_API_DOCUMENT    a document on disk to hold the server to instead of the one it
#                          serves, e.g. one made from edited schemas before a rebuild
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: tests/api/run.sh URL COOKIE" >&2
    exit 2
fi
url=${1%/}
cookie=$2
if [[ $cookie != *=* ]]; then
    cookie="utfall_session=$cookie"
fi
case $url in
    http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) ;;
    *)
        echo "error: \`$url\` is not a loopback address; the fuzzer only runs against a server on this machine" >&2
        exit 2
        ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${UTFALL_VENV:-$root/target/api-venv}
python=${UTFALL_API_PYTHON:-python3}
examples=${UTFALL_API_EXAMPLES:-20}
seed=${UTFALL_API_SEED:-1}
max_seconds=${UTFALL_API_MAX_SECONDS:-15}
report=${UTFALL_API_REPORT:-$root/target/api-report}
document=${UTFALL_API_DOCUMENT:-}
if [[ -n $document ]]; then
    document=$(cd "$(dirname "$document")" && pwd)/$(basename "$document")
    document_args=(--document "$document")
else
    document_args=()
fi
requirements=$here/requirements.txt

started=$SECONDS
step_started=$SECONDS
step() {
    echo "== $1"
    step_started=$SECONDS
}
took() {
    echo "   ($((SECONDS - step_started)) s)"
}

# The venv is made again when requirements.txt changed since it was made.
step "the tools (${venv})"
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
    echo "   made the venv with $("$venv/bin/python" --version)"
else
    echo "   the venv is up to date"
fi
echo "   $("$venv/bin/st" --version 2>&1 | head -n 1), openapi-spec-validator $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openapi-spec-validator"))')"
took

failed=()

step "the document is valid OpenAPI 3.1"
if ! "$venv/bin/python" "$here/check_document.py" "${document:-$url}"; then
    failed+=("the document")
fi
took

step "real answers match the document"
if ! "$venv/bin/python" "$here/check_answers.py" "$url" "$cookie" "${document_args[@]}"; then
    failed+=("the real answers")
fi
took

# Bounded: at most $examples cases per operation and phase, no stateful phase (the API has no
# links), two workers (the machine has two cores), every request and the whole run under a time
# limit. Repeatable: a fixed seed, no example database, no crash cache (schemathesis.toml). The
# phases: the document's examples, coverage of boundary and invalid values, random fuzzing.
step "schemathesis fuzzes the API"
mkdir -p "$report"
report=$(cd "$report" && pwd)
no_color=()
if [[ -n ${NO_COLOR:-} || ! -t 1 ]]; then
    no_color=(--no-color)
fi
st_status=0
# From the report folder: nothing schemathesis leaves behind lands in the work tree.
cd "$report"
timeout 300 "$venv/bin/st" --config-file "$here/schemathesis.toml" run "${document:-$url/api/openapi.json}" \
    --url "$url" \
    --header "Cookie: $cookie" \
    --phases examples,coverage,fuzzing \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$examples" \
    --continue-on-failure \
    --seed "$seed" \
    --generation-database none \
    --generation-with-security-parameters false \
    --workers 2 \
    --request-timeout "$((max_seconds + 5))" \
    --max-response-time "$max_seconds" \
    --suppress-health-check too_slow,filter_too_much \
    --report junit,ndjson \
    --report-dir "$report" \
    "${no_color[@]}" || st_status=$?
if [[ $st_status -ne 0 ]]; then
    failed+=("schemathesis (exit $st_status; reports in \`$report\`)")
fi
took

echo "== done in $((SECONDS - started)) s"
if [[ ${#failed[@]} -gt 0 ]]; then
    for what in "${failed[@]}"; do
        echo "failed: $what" >&2
    done
    exit 1
fi
echo "the API matches its document"
