#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a bounded time or number of runs, with
# a seed corpus made at run time. Docs/fuzzing.md says what each target checks.
#
#   scripts/fuzz.sh [--seconds N] [--runs N] [--seed N] [--json FILE] [--no-build] [TARGET...]
#
#   TARGET      caption-parser, caption-resolver, hdf5-episode (default: all three)
#   --seconds N stop each target after N seconds (default 60 unless --runs is given)
#   --runs N    stop each target after N executions (with --seconds: whichever comes first)
#   --seed N    libFuzzer's random seed: with the same corpus, the same inputs in the same order
#               (CI uses it, so that its smoke is repeatable)
#   --json FILE also write the summary there (it always goes to stdout)
#   --no-build  use the fuzz binaries already built
#
# Everything it writes is under .build-fuzz/ (git-ignored): build/ (the fuzz build), seeds/
# (regenerated each run), corpus/<target>/ (grows across runs), artifacts/<target>/ (crash,
# leak, timeout and oom reproducers) and logs/<target>.log.
# Exits 1 when any target crashed, naming the reproducer and the command that replays it.
#
# Example: scripts/fuzz.sh --runs 1000000 caption-parser
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/.build-fuzz"
all_targets=(caption-parser caption-resolver hdf5-episode)
seconds=""
runs=""
json=""
seed=""
build=1
targets=()

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="${2:?--seconds needs a value}"; shift 2 ;;
        --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
        --seed) seed="${2:?--seed needs a value}"; shift 2 ;;
        --json) json="${2:?--json needs a file}"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *)
            case " ${all_targets[*]} " in
                *" $1 "*) targets+=("$1") ;;
                *) echo "fuzz.sh: unknown target $1 (known: ${all_targets[*]})" >&2; exit 2 ;;
            esac
            shift ;;
    esac
done
for value in "$seconds" "$runs" "$seed"; do
    if [ -n "$value" ] && ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
        echo "fuzz.sh: --seconds, --runs and --seed take a positive integer, not '$value'" >&2; exit 2
    fi
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
[ -n "$seconds" ] || [ -n "$runs" ] || seconds=60

bin="$work/build/release"
if [ "$build" = 1 ]; then
    # --sanitize=fuzzer makes SwiftPM link libFuzzer's main (and leave `main` alone); the
    # -Xswiftc flag comes after it on every command line and so wins: swiftc keeps only the
    # last -sanitize= it is given, and a separate --sanitize=address would drop the fuzzer's
    # coverage instrumentation.
    echo "fuzz.sh: building the fuzz targets (release, -sanitize=fuzzer,address)" >&2
    # One product at a time: a plain `swift build` of this package also builds targets of the
    # root package that the fuzz targets do not use.
    for product in seeds "${targets[@]}"; do
        swift build -c release --package-path "$root/Fuzz" --scratch-path "$work/build" \
            --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --product "fuzz-$product" >&2
    done
fi
for t in "${targets[@]}" seeds; do
    [ -x "$bin/fuzz-$t" ] || { echo "fuzz.sh: $bin/fuzz-$t is not built (run without --no-build)" >&2; exit 1; }
done

# The Swift runtime's crash backtracer would hold a crashing target for up to 30 s; libFuzzer
# prints its own stack (with ASan's symbolizer).
export SWIFT_BACKTRACE=enable=no
shared="${XP_SHARED_FIXTURES:-$root/../shared/fixtures}"
rm -rf "$work/seeds"
XP_FUZZ_SEEDS_OUT="$work/seeds" XP_SHARED_FIXTURES="$shared" "$bin/fuzz-seeds" >&2
for t in "${targets[@]}"; do
    if compgen -G "$root/Fuzz/Seeds/$t/*" >/dev/null; then cp "$root/Fuzz/Seeds/$t"/* "$work/seeds/$t/"; fi
done

# Per target: the largest input (above the largest seed), the per-input time limit.
max_len() { case "$1" in caption-parser) echo 24576 ;; caption-resolver) echo 32768 ;; hdf5-episode) echo 262144 ;; esac; }
per_input_timeout() { case "$1" in hdf5-episode) echo 30 ;; *) echo 10 ;; esac; }
stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -1; }

summary=()
failed=0
for t in "${targets[@]}"; do
    corpus="$work/corpus/$t"
    artifacts="$work/artifacts/$t"
    log="$work/logs/$t.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    before=$(find "$artifacts" -type f | wc -l)
    args=(-print_final_stats=1 -timeout="$(per_input_timeout "$t")" -rss_limit_mb=2048
          -max_len="$(max_len "$t")" -artifact_prefix="$artifacts/")
    [ -z "$seconds" ] || args+=(-max_total_time="$seconds")
    [ -z "$runs" ] || args+=(-runs="$runs")
    [ -z "$seed" ] || args+=(-seed="$seed")
    echo "fuzz.sh: $t ${args[*]} (log: $log)" >&2
    asan_options="${ASAN_OPTIONS:-}"
    lsan_options="${LSAN_OPTIONS:-}"
    if [ "$t" = hdf5-episode ]; then
        # libhdf5's own bugs, not ours (Docs/fuzzing.md, findings 5 and 6).
        asan_options="${asan_options:+$asan_options:}suppressions=$root/Fuzz/asan-hdf5.supp"
        lsan_options="${lsan_options:+$lsan_options:}suppressions=$root/Fuzz/lsan-hdf5.supp"
    fi
    start=$(date +%s.%N)
    set +e
    ASAN_OPTIONS="$asan_options" LSAN_OPTIONS="$lsan_options" "$bin/fuzz-$t" "${args[@]}" "$corpus" "$work/seeds/$t" >"$log" 2>&1
    code=$?
    set -e
    elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    executed=$(stat "$log" number_of_executed_units); executed=${executed:-0}
    rate=$(stat "$log" average_exec_per_sec); rate=${rate:-0}
    rss=$(stat "$log" peak_rss_mb); rss=${rss:-0}
    added=$(stat "$log" new_units_added); added=${added:-0}
    files=$(find "$corpus" -type f | wc -l)
    bytes=$(du -sb "$corpus" | cut -f1)
    new_artifacts=$(( $(find "$artifacts" -type f | wc -l) - before ))
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    crashes=0
    if [ "$code" -ne 0 ] || [ "$new_artifacts" -gt 0 ]; then
        crashes=1
        failed=1
        echo "fuzz.sh: $t FAILED (exit $code); see $log" >&2
        grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*fuzz invariant)' "$log" | head -5 >&2 || true
        if [ -n "$reproducer" ]; then
            echo "fuzz.sh: reproducer $reproducer; replay: SWIFT_BACKTRACE=enable=no $bin/fuzz-$t $reproducer" >&2
        fi
    fi
    # Runs per second over the whole bounded run (libFuzzer's own figure is in the log).
    per_second=$(awk -v n="$executed" -v s="$elapsed" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }')
    summary+=("$(printf '{"target": "%s", "runs": %s, "seconds": %s, "execs_per_second": %s, "libfuzzer_execs_per_second": %s, "crashes": %s, "exit_code": %s, "corpus_files": %s, "corpus_bytes": %s, "new_units": %s, "peak_rss_mb": %s, "reproducer": %s}' \
        "$t" "$executed" "$elapsed" "$per_second" "$rate" "$crashes" "$code" "$files" "$bytes" "$added" "$rss" \
        "$( [ -n "$reproducer" ] && printf '"%s"' "${reproducer#"$root/"}" || printf 'null')")")
    echo "fuzz.sh: $t: $executed runs in $elapsed s ($per_second/s), crashes: $crashes" >&2
done

report() {
    echo "["
    for i in "${!summary[@]}"; do
        if [ "$i" -lt $(( ${#summary[@]} - 1 )) ]; then echo "  ${summary[$i]},"; else echo "  ${summary[$i]}"; fi
    done
    echo "]"
}
report
[ -z "$json" ] || report >"$json"
exit "$failed"
