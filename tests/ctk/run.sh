#!/usr/bin/env bash
# `make ctk`: the conformance kit against this project's own server. Builds gsi-api and
# gsi-ctk (debug), starts `gsi-api serve --demo` on a free port over a fresh SQLite database,
# writes a configuration with tokens for the demo organisations, runs gsi-ctk (text report on
# stdout, JSON report in $CTK_REPORT_DIR) and stops the server on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO="${CARGO:-cargo}"
target_dir="${CARGO_TARGET_DIR:-target}"
report_dir="${CTK_REPORT_DIR:-$target_dir/ctk}"
mkdir -p "$report_dir"

# Two builds, as `make test` builds them, so neither rebuilds the other's features.
$CARGO build -p gsi-api --bin gsi-api
$CARGO build -p gsi-tests --bin gsi-ctk
api="$target_dir/debug/gsi-api"
ctk="$target_dir/debug/gsi-ctk"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

export GSI_JWT_SECRET="ctk-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export GSI_DATABASE_URL="sqlite://$work/gsi.db"
export GSI_BIND="127.0.0.1:0"
export GSI_LOG="warn,gsi_api=info"
"$api" serve --demo >"$work/server.log" 2>&1 &
server_pid=$!

base=""
for _ in $(seq 1 100); do
  base="$(grep -o 'listening on http://[0-9.:]*' "$work/server.log" | head -n 1 | sed 's/listening on //' || true)"
  if [[ -n "$base" ]] && grep -q 'GSI Hub demo' "$work/server.log"; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "gsi-api exited before it was ready:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
if [[ -z "$base" ]]; then
  echo "gsi-api did not start within 20 s:" >&2
  cat "$work/server.log" >&2
  exit 1
fi

# The demo organisations (api/src/usecases/demo*.rs).
agency_a=00000000-0000-7000-8000-000000000a01
agency_b=00000000-0000-7000-8000-000000000a02
network=00000000-0000-7000-8000-000000000b01
cloud=00000000-0000-7000-8000-000000000b02
token() { "$api" token --role "$1" --org "$2" --ttl 1h; }

cat >"$work/ctk.toml" <<TOML
base_url = "$base"

[tokens]
agency_admin = "$(token agency_admin $agency_a)"
provider_operator = "$(token provider_operator $network)"
other_agency_admin = "$(token agency_admin $agency_b)"
other_provider_operator = "$(token provider_operator $cloud)"

[fixtures]
agency_id = "$agency_a"
provider_id = "$network"
subscription_id = "00000000-0000-7000-8000-000000000d01"
change_quantities = [{ mbps_month = "1000" }, { mbps_month = "800" }]
over_capacity_quantities = { mbps_month = "12000" }
add_on = { id = "00000000-0000-7000-8000-000000020002", quantities = { public_ip_month = "8" } }
usage_metric = "mbps_month"
usage_quantity = "1"

[settings]
timeout_secs = 30
racing_confirmations = 10
quote_validity_secs = 2
TOML

status=0
"$ctk" "$work/ctk.toml" --json "$report_dir/report.json" --fail-on-skip | tee "$report_dir/report.txt" || status=$?
echo "reports: $report_dir/report.txt, $report_dir/report.json"
if ((status != 0)); then
  echo "gsi-ctk failed (exit $status); server log:" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit "$status"
