#!/usr/bin/env bash
# End-to-end browser test of Rempart: starts `rempart serve --demo` on a fresh data
# directory (or a fresh PostgreSQL database), waits for /readyz, runs the browser test
# in Debian's headless Chromium and always stops the server. Builds nothing itself.
#
#   REMPART_BIN                path of the built binary (default: ../target/debug/rempart)
#   REMPART_E2E_DATABASE_URL   optional postgres://… URL of a server on which a fresh
#                              database is created for this run (and dropped after it)
#   CHROMIUM                   browser executable (default: /usr/bin/chromium)
#   E2E_READY_TIMEOUT          seconds to wait for /readyz (default: 60)
#   E2E_KEEP_DATA=1            keep the data directory and the log (their paths are printed)
#
# Exit code: the test's (or non-zero if the server could not be started).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
REMPART_BIN="${REMPART_BIN:-$here/../target/debug/rempart}"

if [[ ! -x "$REMPART_BIN" ]]; then
  echo "run.sh: binary not found or not executable: $REMPART_BIN (build it with: cargo build -p rempart)" >&2
  exit 2
fi
REMPART_BIN="$(cd "$(dirname "$REMPART_BIN")" && pwd)/$(basename "$REMPART_BIN")"

cd "$here"
if [[ ! -d node_modules ]]; then
  npm ci --no-audit --no-fund
fi

data_dir="$(mktemp -d "${TMPDIR:-/tmp}/rempart-e2e.XXXXXX")"
log="$data_dir/server.log"
server_pid=""
pg_admin_url=""
pg_db=""

cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$pg_db" ]]; then
    psql "$pg_admin_url" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 ||
      echo "run.sh: could not drop database $pg_db" >&2
  fi
  if [[ "${E2E_KEEP_DATA:-0}" == "1" ]]; then
    echo "run.sh: kept $data_dir (server log: $log)" >&2
  else
    rm -rf "$data_dir"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free port on the loopback interface, chosen by the kernel.
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base_url="http://127.0.0.1:$port"

db_args=()
if [[ -n "${REMPART_E2E_DATABASE_URL:-}" ]]; then
  pg_admin_url="$REMPART_E2E_DATABASE_URL"
  pg_db="rempart_e2e_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  psql "$pg_admin_url" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $pg_db" >/dev/null
  # Same server and credentials, the new database's name in place of the path.
  db_url="$(node -e 'const u=new URL(process.argv[1]);u.pathname="/"+process.argv[2];console.log(u.toString())' "$pg_admin_url" "$pg_db")"
  db_args=(--database-url "$db_url")
  echo "run.sh: database $pg_db created on the PostgreSQL server"
fi

"$REMPART_BIN" serve --demo --data-dir "$data_dir" ${db_args[@]+"${db_args[@]}"} \
  --listen "127.0.0.1:$port" >"$log" 2>&1 &
server_pid=$!

readyz() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 "$base_url/readyz" 2>/dev/null || true
  else
    node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(r=>r.ok?r.text():"").then(t=>process.stdout.write(t),()=>{})' "$base_url/readyz"
  fi
}

ready=""
deadline=$((SECONDS + ${E2E_READY_TIMEOUT:-60}))
while ((SECONDS < deadline)); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    break
  fi
  if [[ "$(readyz)" == "ready" ]]; then
    ready=1
    break
  fi
  sleep 0.2
done
if [[ -z "$ready" ]]; then
  echo "run.sh: the server did not become ready at $base_url/readyz; its log:" >&2
  cat "$log" >&2 || true
  exit 3
fi
echo "run.sh: server ready at $base_url (pid $server_pid)"

set +e
REMPART_BASE_URL="$base_url" node --test --test-reporter=spec browser.test.mjs
status=$?
set -e
if [[ $status -ne 0 ]]; then
  echo "run.sh: test failed; server log:" >&2
  tail -n 50 "$log" >&2 || true
fi
exit "$status"
