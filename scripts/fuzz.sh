#!/usr/bin/env bash
# Fuzzes every target of fuzz/ (cargo-fuzz, libFuzzer) for a bounded time each, one after the
# other, and fails when an input makes a reader panic, hang or run out of memory.
#
#   bash scripts/fuzz.sh                  every target that `cargo fuzz list` names
#   bash scripts/fuzz.sh read_csv ...     only those targets
#   bash scripts/fuzz.sh --json           the summary as a JSON array on stdout
#
# FUZZ_SECONDS (default 20): libFuzzer's -max_total_time for each target. CARGO_BUILD_JOBS
# bounds the build as for any cargo command. Targets are built once, without sanitizer
# (no nightly toolchain: RUSTC_BOOTSTRAP=1), optimised as cargo-fuzz builds by default, with
# debug assertions and overflow checks.
#
# Each target starts from a copy of its committed seeds (fuzz/corpus/<target>/seed-*) in a
# temporary directory, so the run never grows the committed corpus, plus, for some targets,
# a folder of ../shared/data read in place (libFuzzer writes only to the first corpus folder).
# A crash is kept in fuzz/artifacts/<target>/ and printed in base64, so that a CI log is
# enough to reproduce it.
#
# Progress and crash reports go to stderr; the summary (one line per target and a total, or
# the JSON array) to stdout. Exits non-zero when a target fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
fuzz_dir="$repo/fuzz"

json=0
only=()
for arg in "$@"; do
  case "$arg" in
    --json) json=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "Option inconnue : $arg (voir --help)" >&2; exit 2 ;;
    *) only+=("$arg") ;;
  esac
done

seconds="${FUZZ_SECONDS:-20}"
case "$seconds" in
  '' | *[!0-9]* | 0) echo "FUZZ_SECONDS doit être un nombre de secondes positif (reçu : '$seconds')" >&2; exit 2 ;;
esac
rss_limit_mb=2048
input_timeout=10
# A target that does not stop by itself well after its time (libFuzzer stops between
# inputs) is killed and reported.
hard_limit=$((seconds + 120))

say() { printf '\n==> %s\n' "$*" >&2; }

# Real files of the formats, shared by the tests and benchmarks: ../shared next to the
# repository, as the tests find it (CARGO_MANIFEST_DIR/../../../shared/data).
shared="$(cd "$repo/.." && pwd)/shared"
if [ ! -d "$shared/data" ]; then
  echo "Échec du fuzzing : dossier partagé introuvable ($shared/data)." >&2
  echo "Les graines réelles sont lues dans ../shared/data, à côté du dépôt, comme pour les tests." >&2
  exit 1
fi

# Seeds read in place from shared/data (empty: none) and libFuzzer's -max_len, per target.
# A target not named here (a new one) is fuzzed from its own seeds with the default length.
target_config() {
  case "$1" in
    read_oscal) echo "oscal 4000000" ;; # the NIST SP 800-53 catalog is 3.1 MB
    read_stix) echo "stix 65536" ;;     # APT1 is 52 KB
    read_cvss) echo "- 600" ;;
    read_nessus) echo "scans/nessus 1048576" ;;
    read_openvas) echo "scans/openvas 262144" ;;
    read_trivy) echo "scans/trivy 262144" ;;
    read_sarif) echo "scans/sarif 1048576" ;;
    read_csaf) echo "csaf 262144" ;;
    read_cve) echo "cve/cvejson5 262144" ;;
    *) echo "- 65536" ;;
  esac
}

export RUSTC_BOOTSTRAP=1 # libFuzzer's instrumentation needs -Z flags; no nightly toolchain here

# libfuzzer-sys compiles libFuzzer, in C++.
if ! command -v c++ >/dev/null && ! command -v g++ >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    say "Installation de g++ (libFuzzer est en C++)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null
  else
    echo "Échec du fuzzing : aucun compilateur C++ (paquet Debian g++) ; libFuzzer en a besoin." >&2
    exit 1
  fi
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  say "Installation de cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2
fi

cd "$fuzz_dir"

# cargo fuzz has no --locked: check the lock file first, as the root commands do with --locked.
if ! cargo metadata --locked --format-version 1 >/dev/null; then
  echo "Échec du fuzzing : fuzz/Cargo.lock n'est pas à jour (les dépendances des crates ont changé)." >&2
  echo "Mettez-le à jour avec « cd fuzz && cargo update -w », puis validez-le." >&2
  exit 1
fi

targets=()
while IFS= read -r t; do [ -n "$t" ] && targets+=("$t"); done < <(cargo fuzz list)
if [ "${#targets[@]}" -eq 0 ]; then
  echo "Échec du fuzzing : cargo fuzz list ne nomme aucune cible." >&2
  exit 1
fi
if [ "${#only[@]}" -gt 0 ]; then
  for t in "${only[@]}"; do
    printf '%s\n' "${targets[@]}" | grep -qx -- "$t" || {
      echo "Cible inconnue : $t (cibles : ${targets[*]})" >&2
      exit 2
    }
  done
  targets=("${only[@]}")
fi

say "Construction des cibles de fuzzing (${targets[*]})"
build_start=$(date +%s)
if ! cargo fuzz build --sanitizer none >&2; then
  echo "Échec du fuzzing : la construction des cibles a échoué (voir ci-dessus)." >&2
  exit 1
fi
build_seconds=$(($(date +%s) - build_start))
echo "Construction : ${build_seconds} s" >&2

# The binaries just built are run as they are (`cargo fuzz run` would build again first).
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin_dir="$target_dir/$(rustc -vV | sed -n 's/^host: //p')/release"
for t in "${targets[@]}"; do
  [ -x "$bin_dir/$t" ] || { echo "Échec du fuzzing : $bin_dir/$t n'a pas été construit." >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rempart-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# The summary goes to stdout, or to stderr as progress when stdout carries the JSON.
if [ "$json" = 1 ]; then exec 3>&2; else exec 3>&1; fi

results=()
failures=()
total_runs=0
total_seconds=0
for t in "${targets[@]}"; do
  read -r seed_sub max_len < <(target_config "$t")
  seed_dirs=()
  if [ "$seed_sub" != "-" ]; then
    if [ ! -d "$shared/data/$seed_sub" ]; then
      echo "Échec du fuzzing : graines de $t introuvables ($shared/data/$seed_sub)." >&2
      exit 1
    fi
    seed_dirs+=("$shared/data/$seed_sub")
  fi
  corpus="$work/corpus/$t"
  mkdir -p "$corpus" "$fuzz_dir/artifacts/$t"
  if [ -d "$fuzz_dir/corpus/$t" ]; then
    find "$fuzz_dir/corpus/$t" -maxdepth 1 -type f -name 'seed-*' -exec cp {} "$corpus/" \;
  fi
  log="$work/$t.log"

  say "Fuzzing de $t : ${seconds} s, -max_len=$max_len, graines : $(ls "$corpus" | wc -l) du dépôt${seed_dirs:+ + ${seed_dirs[0]}}"
  start=$(date +%s)
  set +e
  timeout --kill-after=30 "$hard_limit" \
    "$bin_dir/$t" "$corpus" "${seed_dirs[@]}" \
    -max_len="$max_len" -max_total_time="$seconds" -rss_limit_mb="$rss_limit_mb" \
    -timeout="$input_timeout" -print_final_stats=1 -artifact_prefix="$fuzz_dir/artifacts/$t/" \
    >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(($(date +%s) - start))
  # kept only when it holds something
  rmdir "$fuzz_dir/artifacts/$t" 2>/dev/null && rmdir "$fuzz_dir/artifacts" 2>/dev/null || true

  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  runs=${runs:-0}
  rss=$(sed -n 's/^stat::peak_rss_mb: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  rss=${rss:-0}
  # slow-unit-* files are kept by libFuzzer as information, not as failures.
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | grep -v '/slow-unit-' | tail -n 1 || true)

  result=ok
  message=""
  if [ "$rc" -ne 0 ]; then
    case "$(basename "${artifact:-none}")" in
      crash-*) result=crash; message="la cible $t a planté (artefact $artifact)" ;;
      timeout-*) result=timeout; message="la cible $t a dépassé ${input_timeout} s sur une entrée (artefact $artifact)" ;;
      oom-*) result=oom; message="la cible $t a dépassé ${rss_limit_mb} Mo de mémoire (artefact $artifact)" ;;
      leak-*) result=leak; message="la cible $t a une fuite de mémoire (artefact $artifact)" ;;
      *)
        artifact=""
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
          result=hung; message="la cible $t ne s'est pas arrêtée en ${hard_limit} s"
        else
          result=error; message="la cible $t s'est arrêtée (code $rc) sans artefact"
        fi
        ;;
    esac
    failures+=("Échec du fuzzing : $message")
    {
      echo
      echo "---- $t : $result (code $rc) ; journal de libFuzzer depuis l'incident ----"
      # From the panic message (or libFuzzer's report) on, without the progress lines.
      grep -v -E '^#[0-9]+[[:space:]]' "$log" >"$log.short" || true
      first=$(grep -n -m 1 -E 'panicked at|ALARM:|out-of-memory|ERROR: libFuzzer|==[0-9]+==' "$log.short" | cut -d: -f1 || true)
      if [ -n "$first" ]; then tail -n "+$first" "$log.short" | head -n 200; else tail -n 60 "$log.short"; fi
      if [ -n "$artifact" ] && [ -f "$artifact" ]; then
        size=$(wc -c <"$artifact")
        echo "---- cible : $t"
        echo "---- entrée : $artifact ($size octets)"
        if [ "$size" -le 65536 ]; then
          echo "---- en base64 (reproduire : base64 -d > crash, puis"
          echo "     RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $t crash, dans fuzz/) :"
          base64 -w 76 "$artifact"
        else
          echo "---- compressée (gzip) en base64 (reproduire : base64 -d | gunzip > crash, puis"
          echo "     RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $t crash, dans fuzz/) :"
          gzip -9c "$artifact" | base64 -w 76
        fi
        echo "---- fin de l'entrée"
      fi
    } >&2
  fi

  total_runs=$((total_runs + runs))
  total_seconds=$((total_seconds + elapsed))
  printf '%-14s %-7s %12s exécutions %5s s  (pic %s Mo)\n' "$t" "$result" "$runs" "$elapsed" "$rss" >&3
  results+=("{\"target\":$(json_string "$t"),\"result\":\"$result\",\"executions\":$runs,\"seconds\":$elapsed,\"max_total_time\":$seconds,\"max_len\":$max_len,\"peak_rss_mb\":$rss,\"shared_seeds\":$([ "$seed_sub" = "-" ] && echo null || json_string "$seed_sub"),\"artifact\":$([ -n "$artifact" ] && json_string "$artifact" || echo null)}")
done

printf 'Total : %d cibles, %d exécutions, %d s de fuzzing, %d s de construction, %d échec(s)\n' \
  "${#targets[@]}" "$total_runs" "$total_seconds" "$build_seconds" "${#failures[@]}" >&3

if [ "$json" = 1 ]; then
  printf '['
  sep=""
  for r in "${results[@]}"; do printf '%s\n  %s' "$sep" "$r"; sep=","; done
  printf '\n]\n'
fi

if [ "${#failures[@]}" -gt 0 ]; then
  for f in "${failures[@]}"; do echo "$f" >&2; done
  exit 1
fi
