#!/bin/bash
# Run kvmu's meson test suites in build dir $1 (all suites, or those named
# after it) and print one closing line "N passed, N failed, N skipped".
set -uo pipefail
build=${1:?usage: run-tests.sh BUILDDIR [SUITE...]}
shift
args=()
for s in "$@"; do
    args+=(--suite "$s")
done
# Sanitizer builds: make leaks and UB fatal and readable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
meson test -C "$build" --print-errorlogs --num-processes "${TEST_JOBS:-2}" "${args[@]}"
rc=$?
python3 - "$build/meson-logs/testlog.json" "$build/test-summary.txt" <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0, "TIMEOUT": 0, "ERROR": 0, "EXPECTEDFAIL": 0}
try:
    for line in open(sys.argv[1]):
        if not line.strip():
            continue
        try:
            r = json.loads(line).get("result", "ERROR")
        except ValueError:      # a line cut short: count it as an error
            r = "ERROR"
        counts[r] = counts.get(r, 0) + 1
except FileNotFoundError:
    pass
failed = counts["FAIL"] + counts["TIMEOUT"] + counts["ERROR"]
line = f"{counts['OK']} passed, {failed} failed, {counts['SKIP']} skipped"
print(line)
with open(sys.argv[2], "w") as f:
    f.write(f"{counts['OK']} {failed} {counts['SKIP']}\n")
PY
exit $rc
