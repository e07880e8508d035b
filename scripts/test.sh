#!/usr/bin/env bash
# Runs every test of Rempart: the Rust suites on SQLite, the same suites again on PostgreSQL,
# then the end-to-end browser test in headless Chromium. Exits non-zero on the first failure.
#
# PostgreSQL: REMPART_TEST_POSTGRES_URL names a server where tests may create databases
# (default postgres://postgres@127.0.0.1:5432/test when one answers there). When none answers,
# the run fails rather than skip it; REMPART_SKIP_POSTGRES=1 skips it, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

default_pg="postgres://postgres@127.0.0.1:5432/test"
pg_url="${REMPART_TEST_POSTGRES_URL:-}"
if [ -z "$pg_url" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_url="$default_pg"
fi

# The browser test needs Debian's Chromium; the PDF tests read reports back with poppler's
# pdftotext. Installed here when missing and we may (root with apt), else named and refused.
missing=()
command -v chromium >/dev/null || missing+=(chromium chromium-driver)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    say "Installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing: ${missing[*]} (Debian packages). Install them, then run this again." >&2
    exit 1
  fi
fi

# The OSCAL export is checked against compliance-trestle's models, which are generated from
# NIST's OSCAL schema.
trestle="compliance-trestle==5.2.0"
if ! python3 -c 'import trestle.oscal.poam' 2>/dev/null; then
  if ! command -v python3 >/dev/null; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip >/dev/null
    else
      echo "Missing: python3 (to check OSCAL exports). Install it, then run this again." >&2
      exit 1
    fi
  fi
  say "Installing $trestle (OSCAL schema models)"
  python3 -m pip install -q --disable-pip-version-check "$trestle" 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check --break-system-packages "$trestle"
fi

# The e-mail tests send to a real SMTP server on loopback (crates/rempart/tests/smtp_server.py).
aiosmtpd="aiosmtpd==1.4.6"
if ! python3 -c 'import sys, aiosmtpd; sys.exit(aiosmtpd.__version__ != "1.4.6")' 2>/dev/null; then
  say "Installing $aiosmtpd (SMTP server for the e-mail tests)"
  python3 -m pip install -q --disable-pip-version-check "$aiosmtpd" 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check --break-system-packages "$aiosmtpd"
fi

say "Rust tests on SQLite"
env -u REMPART_TEST_POSTGRES_URL cargo test --workspace --locked

if [ -n "$pg_url" ]; then
  # Each test makes a database of its own; clear those left by earlier runs.
  if command -v psql >/dev/null; then
    psql "$pg_url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'rempart\_test\_%' OR datname LIKE 'rempart\_e2e\_%'" 2>/dev/null \
      | while read -r db; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
  fi
  say "Rust tests on PostgreSQL ($pg_url)"
  REMPART_TEST_POSTGRES_URL="$pg_url" cargo test --workspace --locked
elif [ "${REMPART_SKIP_POSTGRES:-}" = "1" ]; then
  say "PostgreSQL suite NOT RUN (REMPART_SKIP_POSTGRES=1): the product is only proven on SQLite by this run"
else
  echo "No PostgreSQL answers on 127.0.0.1:5432 and REMPART_TEST_POSTGRES_URL is not set." >&2
  echo "Start PostgreSQL, set REMPART_TEST_POSTGRES_URL, or set REMPART_SKIP_POSTGRES=1 to skip it knowingly." >&2
  exit 1
fi

say "End-to-end browser test (headless Chromium) on SQLite"
cargo build --locked -p rempart
bash e2e/run.sh
if [ -n "$pg_url" ]; then
  say "End-to-end browser test (headless Chromium) on PostgreSQL"
  REMPART_E2E_DATABASE_URL="$pg_url" bash e2e/run.sh
fi
