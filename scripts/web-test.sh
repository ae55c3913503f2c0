#!/usr/bin/env bash
# The web app end to end: a fresh demo workspace, the server on a free port, the browser tests
# (`tests/browser/`, headless Chromium with JavaScript off) and, when `tests/api/run.sh` is there
# and executable, the API tests with a logged-in admin's cookie.
#
# It builds nothing: it runs the binary `${UTFALL:-target/debug/utfall}` (relative to the repo
# root), which `cargo test` has just built. As root on Debian it installs what is missing
# (Debian's `chromium`, the npm packages of `tests/browser/`); elsewhere it says what to install.
# Screenshots go to `${ARTEFACTS:-target/browser-artefacts}`; `KEEP=1` keeps the workspace and the
# server's log. Usage, from anywhere: `scripts/web-test.sh`, or `UTFALL=/path/to/utfall scripts/web-test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

today=2026-11-20
chromium=${CHROMIUM:-/usr/bin/chromium}
binary=${UTFALL:-target/debug/utfall}
case "$binary" in
  /*) ;;
  *) binary="$root/$binary" ;;
esac
artefacts=${ARTEFACTS:-target/browser-artefacts}
case "$artefacts" in
  /*) ;;
  *) artefacts="$root/$artefacts" ;;
esac

# Each step is bounded, and its time is printed.
now_ms() {
  echo $(($(date +%s%N) / 1000000))
}
seconds_since() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100))
}
step_started=0
step() {
  step_started=$(now_ms)
  echo "== $1" >&2
}
step_done() {
  echo "   $1 took $(seconds_since "$step_started")" >&2
}
run_started=$(now_ms)

is_root_on_debian() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

apt_updated=false
apt_install() {
  if ! $apt_updated; then
    apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- what the tests need ------------------------------------------------------------------------

step "tools"
if [ ! -x "$binary" ]; then
  echo "error: the binary \`$binary\` is missing" >&2
  echo "hint: run \`cargo build\` (or \`cargo test\`) first, or point UTFALL at a built binary" >&2
  exit 1
fi
missing=()
[ -x "$chromium" ] || missing+=(chromium)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if is_root_on_debian; then
    echo "installing ${missing[*]} with apt-get" >&2
    apt_install "${missing[@]}"
  else
    echo "error: missing ${missing[*]}" >&2
    echo "hint: install Debian's packages \`${missing[*]}\` (root on Debian installs them by itself)" >&2
    exit 1
  fi
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "error: the browser tests need Node 20 or later, this is $(node --version)" >&2
  exit 1
fi
# The lock pins playwright-core; it downloads no browser (the tests use Debian's Chromium).
if [ ! -f tests/browser/node_modules/playwright-core/package.json ] ||
  [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  echo "installing tests/browser's npm packages (npm ci)" >&2
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
echo "   $("$chromium" --version 2>/dev/null), node $(node --version), $("$binary" --version)" >&2
step_done "tools"

# --- a demo workspace and its server ------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/utfall-web-test.XXXXXX")
server_pid=
cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] && [ -f "$work/serve.log" ]; then
    echo "-- the server's log (last 30 lines)" >&2
    tail -n 30 "$work/serve.log" >&2 || true
  fi
  if [ "${KEEP:-}" = 1 ]; then
    echo "kept $work" >&2
  else
    rm -rf "$work"
  fi
  echo "== web tests $([ "$status" = 0 ] && echo passed || echo failed) in $(seconds_since "$run_started")" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "demo workspace"
if ! timeout 300 "$binary" demo --no-serve --today "$today" "$work/demo" >"$work/demo.log" 2>&1; then
  tail -n 30 "$work/demo.log" >&2
  echo "error: \`utfall demo\` failed" >&2
  exit 1
fi
step_done "demo workspace"

step "server"
"$binary" serve -C "$work/demo" --bind 127.0.0.1:0 --today "$today" >"$work/serve.log" 2>&1 &
server_pid=$!
# It prints its URL, then (on a new workspace's first run) the admin's one-time password.
url=
admin_password=
for _ in $(seq 1 600); do
  url=$(sed -n 's/^the web app is at \(http:\/\/127\.0\.0\.1:[0-9]*\/\).*/\1/p' "$work/serve.log" | head -n 1)
  admin_password=$(sed -n 's/.*log in as `admin` with the one-time password \([^ ]*\) .*/\1/p' "$work/serve.log" | head -n 1)
  [ -n "$url" ] && [ -n "$admin_password" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server stopped before it listened" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ] || [ -z "$admin_password" ]; then
  echo "error: within 60 s the server printed no URL or no one-time password for \`admin\`" >&2
  exit 1
fi
origin=${url%/}
echo "   $url" >&2
viewer_id=viewer1
viewer_password=viewer-password-for-tests
echo "$viewer_password" | "$binary" user add "$viewer_id" --name "Vera Viewer" --role viewer \
  --password-stdin -C "$work/demo" >/dev/null
editor_id=editor1
editor_password=editor-password-for-tests
echo "$editor_password" | "$binary" user add "$editor_id" --name "Erik Editor" --role editor \
  --password-stdin -C "$work/demo" >/dev/null
step_done "server"

# --- the browser tests --------------------------------------------------------------------------

step "browser tests (tests/browser)"
mkdir -p "$artefacts" "$work/tmp"
# Playwright makes each browser's fresh profile under TMPDIR: inside the workspace, removed with it.
TMPDIR="$work/tmp" \
  UTFALL_URL="$url" \
  UTFALL_DIR="$work/demo" \
  UTFALL_ADMIN_PASSWORD="$admin_password" \
  UTFALL_VIEWER_ID="$viewer_id" \
  UTFALL_VIEWER_PASSWORD="$viewer_password" \
  UTFALL="$binary" \
  UTFALL_TODAY="$today" \
  ARTEFACTS="$artefacts" \
  CHROMIUM="$chromium" \
  timeout 300 node --test --test-reporter=tap --test-timeout=120000 tests/browser/web.test.mjs
# Then acting in the browser, which changes the demo's data and definitions (after the pages
# were compared with the CLI on the demo as generated).
TMPDIR="$work/tmp" \
  UTFALL_URL="$url" \
  UTFALL_DIR="$work/demo" \
  UTFALL_EDITOR_ID="$editor_id" \
  UTFALL_EDITOR_PASSWORD="$editor_password" \
  UTFALL_VIEWER_ID="$viewer_id" \
  UTFALL_VIEWER_PASSWORD="$viewer_password" \
  UTFALL="$binary" \
  ARTEFACTS="$artefacts" \
  CHROMIUM="$chromium" \
  timeout 300 node --test --test-reporter=tap --test-timeout=120000 tests/browser/act.test.mjs
echo "   screenshots in $artefacts" >&2
step_done "browser tests"

# --- the API tests, when there are any -----------------------------------------------------------

if [ -x tests/api/run.sh ]; then
  step "API tests (tests/api/run.sh)"
  # A logged-in admin, through the login form as a browser would: the form's cookie and token,
  # then the POST from this origin.
  jar="$work/cookies.txt"
  csrf=$(curl -fsS -c "$jar" -b "$jar" "${url}login" |
    sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
  status=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -H "Origin: $origin" \
    --data-urlencode "csrf=$csrf" --data-urlencode "next=/" --data-urlencode "id=admin" \
    --data-urlencode "password=$admin_password" "${url}login")
  session=$(awk '$6 == "utfall_session" && $7 != "" { print $6 "=" $7 }' "$jar" | tail -n 1)
  if [ "$status" != 303 ] || [ -z "$session" ]; then
    echo "error: logging in as admin with curl answered $status and no session cookie" >&2
    exit 1
  fi
  timeout 600 tests/api/run.sh "$url" "$session"
  step_done "API tests"
fi
