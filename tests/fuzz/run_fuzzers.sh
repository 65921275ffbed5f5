#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for FUZZ_SECONDS each, from a
# scratch copy of its seed corpus (the committed corpus never grows). Fails
# on the first crash, leak, timeout or sanitizer report; the reproducer is
# left in BUILD_DIR/artifacts/. Prints libFuzzer's executed-units count per
# target. Usage: run_fuzzers.sh BUILD_DIR [target...]
set -euo pipefail
BUILD_DIR=${1:?usage: run_fuzzers.sh BUILD_DIR [target...]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(compile json_path payload_template intrinsic token send_task jsonata mock_config test_state json_errors)
  # The HTTP endpoint's target exists once cpp/src/http is built.
  if [ -x "$BUILD_DIR/tests/fuzz/fuzz_http_request" ]; then TARGETS+=(http_request); fi
fi
# Boost.Context switches stacks under ASan's feet; see the Makefile's
# `sanitize` target for why detect_stack_use_after_return stays off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0:detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$BUILD_DIR/artifacts"
summary=()
for t in "${TARGETS[@]}"; do
  bin="$BUILD_DIR/tests/fuzz/fuzz_$t"
  work="$BUILD_DIR/corpus-run/$t"
  rm -rf "$work" && mkdir -p "$work"
  cp "$HERE/corpus/$t/"* "$work/"
  log="$BUILD_DIR/fuzz_$t.log"
  extra=()
  # send_task keeps every finished execution (as the engine must), so nearly
  # every input grows the heap and libFuzzer would run a full LeakSanitizer
  # scan per input (~10x slower). Leaks are still checked once, at exit.
  if [ "$t" = send_task ]; then extra+=(-detect_leaks=0); fi
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s (log: $log)"
  set +e
  "$bin" "$work" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=4096 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$BUILD_DIR/artifacts/$t-" "${extra[@]}" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ $rc -ne 0 ]; then
    tail -60 "$log"
    echo "fuzz: $t FAILED (exit $rc); reproducer in $BUILD_DIR/artifacts/ (run: $bin <file>)"
    exit 1
  fi
  echo "fuzz: $t ok: ${runs:-?} executions, corpus $(ls "$work" | wc -l) inputs"
  summary+=("$t=${runs:-?}")
done
echo "fuzz executions run: ${summary[*]}"
