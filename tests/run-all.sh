#!/usr/bin/env bash
# make check's test run: unit and integration tests against the release build and the
# ASan+UBSan build, then the linters. Ends with one line "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 1
log=$(mktemp /tmp/nsdump-check.XXXXXX)
trap 'rm -f "$log"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run() { # label, command...
	local label=$1
	shift
	echo "## $label"
	"$@" 2>&1 | tee -a "$log" | sed -n '/^\(not ok\|skip\|#\)/p'
}

for b in build build-asan; do
	run "unit tests ($b)" tests/run-unit.sh "$b"/unit/test_*
	for f in "$b"/fuzz/fuzz_*; do
		run "fuzz corpus replay ($f)" "$f" "tests/fuzz/corpus/$(basename "$f")"
	done
	run "integration tests ($b)" env NSDUMP="$PWD/$b/nsdump" UDPSEND="$PWD/build/tools/udpsend" \
		tests/integration/run.sh
done
run "lint" scripts/lint.sh

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
skipped=$(grep -c '^skip ' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
