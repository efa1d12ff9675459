#!/usr/bin/env bash
# make test-clients: generate a TypeScript client (openapi-typescript + openapi-fetch) and a
# Python client (openapi-python-client) from openapi/openapi.json, fail if either generator
# prints anything but its success lines, typecheck the walks (tsc --strict, mypy --strict), then
# run each walk through its client against a live `gsi-api serve --demo` on a fresh SQLite
# database (one server per client, so each starts from the README's demo state).
#
# Tools are pinned: tests/clients/ts/package-lock.json (npm ci) and
# tests/clients/python/requirements.txt (a venv in .venv-clients/). Honours CARGO_TARGET_DIR.
# KEEP_CLIENTS_WORK=1 keeps the generated Python client and the server logs for a look.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo=${CARGO:-cargo}
target_dir=${CARGO_TARGET_DIR:-target}
ts_dir=tests/clients/ts
py_dir=tests/clients/python
venv=.venv-clients
secret=${GSI_JWT_SECRET:-gsi-hub-client-walk-secret-not-for-production}

# Demo organisations seeded by `serve --demo` (fixed ids: api/src/usecases/demo.rs).
agency_a=00000000-0000-7000-8000-000000000a01
agency_b=00000000-0000-7000-8000-000000000a02
network_provider=00000000-0000-7000-8000-000000000b01
cloud_provider=00000000-0000-7000-8000-000000000b02

work=$(mktemp -d "${TMPDIR:-/tmp}/gsi-clients.XXXXXX")
server_pid=""
stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  if [[ ${KEEP_CLIENTS_WORK:-} == 1 ]]; then
    echo "test-clients: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
# Interrupted or terminated: exit, so the EXIT trap stops the server.
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*"; }
fail() {
  echo "test-clients: FAILED: $*" >&2
  exit 1
}

# The generators' output with colour codes and carriage returns removed.
plain() { sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/\r//g' "$1"; }

# Fails unless every non-empty line of the log matches one of the allowed patterns: anything
# else a generator prints (a warning, a skipped endpoint, a hint) fails the run.
only_success_lines() {
  local name=$1 log=$2
  shift 2
  local unexpected
  unexpected=$(plain "$log" | grep -v '^[[:space:]]*$' | grep -Ev "$(IFS='|'; echo "$*")" || true)
  if [[ -n $unexpected ]]; then
    echo "--- $name printed:" >&2
    plain "$log" >&2
    fail "$name printed more than its success lines for openapi/openapi.json (warnings count as failures):
$unexpected"
  fi
}

# The walks may use only their generated client: no casts, no suppressed type errors, no
# hand-written HTTP.
forbid() {
  local file=$1 pattern=$2 why=$3
  if grep -nE "$pattern" "$file" >&2; then
    fail "$file: $why"
  fi
}
forbid $ts_dir/walk.ts '\bas[[:space:]]+(any|unknown|never)\b|<any>|:[[:space:]]*any\b|@ts-|eslint-disable|\bfetch\(|XMLHttpRequest|node:https?' \
  'a cast, an any, a suppressed type error or a hand-written HTTP call'
forbid $py_dir/walk.py 'type:[[:space:]]*ignore|\bcast\(|\bAny\b|^[[:space:]]*(import|from)[[:space:]]+(httpx|requests|urllib|http\.client|aiohttp)\b|get_httpx_client' \
  'a cast, an ignored type error or a hand-written HTTP call'

say "tools (pinned)"
if ! cmp -s $ts_dir/package-lock.json $ts_dir/node_modules/.gsi-installed-lock.json 2>/dev/null; then
  (cd $ts_dir && npm ci --no-audit --no-fund --loglevel=error)
  cp $ts_dir/package-lock.json $ts_dir/node_modules/.gsi-installed-lock.json
fi
if ! cmp -s $py_dir/requirements.txt $venv/.gsi-installed-requirements.txt 2>/dev/null; then
  rm -rf $venv
  python3 -m venv $venv
  $venv/bin/pip install --quiet --disable-pip-version-check --no-deps -r $py_dir/requirements.txt
  $venv/bin/pip check
  cp $py_dir/requirements.txt $venv/.gsi-installed-requirements.txt
fi
echo "openapi-typescript $(cd $ts_dir && node -p 'require("openapi-typescript/package.json").version'), \
openapi-fetch $(cd $ts_dir && node -p 'require("openapi-fetch/package.json").version'), \
typescript $(cd $ts_dir && node -p 'require("typescript/package.json").version'), \
$($venv/bin/openapi-python-client --version), $($venv/bin/mypy --version)"

say "generate the TypeScript types (openapi-typescript)"
rm -rf $ts_dir/generated $ts_dir/build
# --redocly names the (empty) lint configuration so that a redocly.yaml lying around cannot
# change the rules: openapi-typescript then lints with Redocly's "minimal" rules, as by default.
(cd $ts_dir && NO_COLOR=1 FORCE_COLOR=0 node_modules/.bin/openapi-typescript ../../../openapi/openapi.json \
  --redocly redocly.yaml -o generated/api.d.ts) >"$work/openapi-typescript.log" 2>&1 ||
  { plain "$work/openapi-typescript.log" >&2; fail "openapi-typescript failed"; }
only_success_lines openapi-typescript "$work/openapi-typescript.log" \
  '^✨ openapi-typescript [0-9.]+$' \
  '^🚀 \.\./\.\./\.\./openapi/openapi\.json → generated/api\.d\.ts \[[0-9.]+m?s\]$'
plain "$work/openapi-typescript.log"

say "typecheck the TypeScript walk (tsc --strict)"
(cd $ts_dir && node_modules/.bin/tsc -p tsconfig.json --strict) || fail "tsc --strict refused tests/clients/ts/walk.ts"
echo "tsc --strict: no errors"

say "generate the Python client (openapi-python-client)"
py_client="$work/python"
mkdir -p "$py_client"
PATH="$root/$venv/bin:$PATH" NO_COLOR=1 TERM=dumb $venv/bin/openapi-python-client generate \
  --path openapi/openapi.json --config $py_dir/generator.yaml --meta none \
  --output-path "$py_client/gsi_hub_client" >"$work/openapi-python-client.log" 2>&1 ||
  { plain "$work/openapi-python-client.log" >&2; fail "openapi-python-client failed"; }
only_success_lines openapi-python-client "$work/openapi-python-client.log" "^Generating .*/gsi_hub_client$"
plain "$work/openapi-python-client.log"

say "typecheck the Python walk (mypy --strict, generated client included)"
MYPYPATH="$py_client" $venv/bin/mypy --strict --cache-dir "$work/mypy-cache" $py_dir/walk.py ||
  fail "mypy --strict refused tests/clients/python/walk.py"

say "build gsi-api"
$cargo build -p gsi-api --bin gsi-api
bin="$target_dir/debug/gsi-api"
[[ -x $bin ]] || fail "$bin was not built"

# Starts `serve --demo` on a free loopback port over a fresh SQLite file; sets base_url.
start_server() {
  local name=$1 log="$work/server-$1.log"
  GSI_DATABASE_URL="sqlite://$work/$name.db" GSI_BIND=127.0.0.1:0 GSI_JWT_SECRET="$secret" \
    GSI_LOG=warn "$bin" serve --demo >"$log" 2>&1 &
  server_pid=$!
  base_url=""
  for _ in $(seq 1 600); do
    base_url=$(sed -n 's#^ *Swagger UI: *\(http://[0-9.:]*\)/swagger-ui/$#\1#p' "$log")
    [[ -n $base_url ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; fail "gsi-api serve --demo exited"; }
    sleep 0.1
  done
  [[ -n $base_url ]] || { cat "$log" >&2; fail "gsi-api serve --demo did not start within 60 s"; }
  echo "gsi-api serve --demo on $base_url (database $work/$name.db)"
}

# The server's last log lines, without the demo tokens it prints at start.
server_log_tail() { grep -v '^    eyJ' "$work/server-$1.log" | tail -n 30 >&2; }

token() { GSI_JWT_SECRET="$secret" "$bin" token --role "$1" ${2:+--org "$2"} --sub "client-walk-$1" --ttl 1h; }

walk_env() {
  export GSI_BASE_URL="$base_url"
  GSI_TOKEN_GIX=$(token gix_officer)
  GSI_TOKEN_AGENCY_A_ADMIN=$(token agency_admin $agency_a)
  GSI_TOKEN_AGENCY_A_USER=$(token agency_user $agency_a)
  GSI_TOKEN_AGENCY_B_ADMIN=$(token agency_admin $agency_b)
  GSI_TOKEN_NETWORK_OPERATOR=$(token provider_operator $network_provider)
  GSI_TOKEN_CLOUD_OPERATOR=$(token provider_operator $cloud_provider)
  export GSI_TOKEN_GIX GSI_TOKEN_AGENCY_A_ADMIN GSI_TOKEN_AGENCY_A_USER GSI_TOKEN_AGENCY_B_ADMIN \
    GSI_TOKEN_NETWORK_OPERATOR GSI_TOKEN_CLOUD_OPERATOR
}

say "TypeScript client walks the API"
start_server ts
walk_env
node $ts_dir/build/walk.js || { server_log_tail ts; fail "the TypeScript walk failed"; }
stop_server

say "Python client walks the API"
start_server python
walk_env
PYTHONPATH="$py_client" $venv/bin/python $py_dir/walk.py ||
  { server_log_tail python; fail "the Python walk failed"; }
stop_server

say "test-clients: both generated clients walked the API"
