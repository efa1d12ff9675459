# GSI Hub — the two commands a newcomer needs are `make run` and `make test`.

CARGO ?= cargo
# Development-only signing secret for `make run` and `make token`; production verifies
# tokens with GSI_JWT_PUBLIC_KEYS instead.
DEV_JWT_SECRET ?= gsi-hub-development-secret-not-for-production
TOOLS_VENV := .venv-tools

.PHONY: run test test-rust test-contract openapi openapi-check access-table test-clients lint fmt token bench ctk clean

## run: build, apply migrations, seed demo data into data/gsi.db (SQLite), print demo tokens, serve on 127.0.0.1:8080
run:
	GSI_JWT_SECRET="$${GSI_JWT_SECRET:-$(DEV_JWT_SECRET)}" $(CARGO) run -p gsi-api -- serve --demo

## test: every test (domain, persistence, black-box HTTP, OpenAPI drift and validation).
## PostgreSQL runs too when GSI_TEST_POSTGRES_URL is set, e.g. postgres://postgres@127.0.0.1:5432/postgres
test: test-rust openapi-check

## The crash and restart tests start the real `gsi-api` binary, which `cargo test` does not build.
test-rust:
	$(CARGO) build -p gsi-api --bin gsi-api
	$(CARGO) test --workspace --all-targets

## openapi: rewrite the committed contract from the code
openapi:
	$(CARGO) run -q -p gsi-api -- openapi > openapi/openapi.json.tmp
	mv openapi/openapi.json.tmp openapi/openapi.json

## access-table: rewrite README's "Access per operation" from tests/http/access_policy.txt
access-table:
	UPDATE_README=1 $(CARGO) test -q -p gsi-tests --test http authz_matrix::access_table_in_readme_is_generated_from_the_policy

## openapi-check: validate openapi/openapi.json against the OpenAPI 3.1 schema
openapi-check: $(TOOLS_VENV)/bin/openapi-spec-validator
	$(TOOLS_VENV)/bin/openapi-spec-validator openapi/openapi.json

$(TOOLS_VENV)/bin/openapi-spec-validator:
	python3 -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install --quiet openapi-spec-validator==0.9.0

## test-clients: generate a TypeScript (openapi-typescript + openapi-fetch) and a Python
## (openapi-python-client) client from openapi/openapi.json (any generator warning fails), typecheck
## the walks (tsc --strict, mypy --strict) and run each against `gsi-api serve --demo`: the README's
## Appendix A walk with ETag/If-Match, an incident, a usage batch and the cost read (tests/clients/).
## Needs node/npm and python3-venv; pinned tools go to tests/clients/ts/node_modules and .venv-clients/.
test-clients:
	CARGO="$(CARGO)" tests/clients/run.sh

## test-contract: contract fuzzing. The release server on a fresh SQLite database with demo data,
## and schemathesis (pinned) against the served spec once per role: all checks, positive and
## negative data, the stateful phase over the spec's links, fixed seed, bounded examples and time.
## Configuration and every documented exception: tests/contract/schemathesis.toml.
test-contract: $(TOOLS_VENV)/bin/schemathesis
	tests/contract/run.sh

$(TOOLS_VENV)/bin/schemathesis:
	python3 -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install --quiet schemathesis==4.32.5

## bench: national-scale data set, GSI Hub beside same-run baselines (bare handler, raw inserts),
## one table with ratios and targets; then the GIX month usage report over 1,000,000 rated records
## through HTTP beside the same SQL, and memory while streaming them as CSV (tests/http/report_bench.rs).
## SQLite by default; BENCH_DB=postgres for PostgreSQL
## (GSI_TEST_POSTGRES_URL, default the local server); BENCH_SCALE=small for a quick look.
bench:
	$(CARGO) build --release -p gsi-api -p gsi-tests --bin gsi-api --bin gsi-bench
	GSI_TEST_POSTGRES_URL="$${GSI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}" \
		$${CARGO_TARGET_DIR:-target}/release/gsi-bench
	$(CARGO) test --release -p gsi-tests --test http report_bench -- --ignored --nocapture

## ctk: the conformance kit (gsi-ctk) against this server: builds gsi-api and gsi-ctk, serves the
## demo data on a free port over a fresh SQLite database, runs every scenario and writes the
## report to CTK_REPORT_DIR (default target/ctk) as report.txt and report.json (tests/ctk/run.sh)
ctk:
	CARGO="$(CARGO)" tests/ctk/run.sh

## lint: formatting and clippy with warnings as errors
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## token: a development token, e.g. make token ROLE=agency_admin ORG=<uuid>
token:
	GSI_JWT_SECRET="$${GSI_JWT_SECRET:-$(DEV_JWT_SECRET)}" $(CARGO) run -q -p gsi-api -- token --role $(ROLE) $(if $(ORG),--org $(ORG))

clean:
	$(CARGO) clean
	rm -rf $(TOOLS_VENV) .venv-clients tests/clients/ts/node_modules tests/clients/ts/generated tests/clients/ts/build
