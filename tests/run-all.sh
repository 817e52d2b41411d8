#!/usr/bin/env bash
# make check's test run: the runner's own self-test, then unit tests, fuzz corpus replays and
# integration scripts against the release build and the ASan+UBSan build, then the linters.
# Each program is one step of tests/run-step.sh, which fails it on a crash, a non-zero exit, a
# hang past its time limit or an unmet plan, whatever it printed. Ends with one line
# "N passed, N failed, N skipped" and exits non-zero when any step failed.
#
# ND_CHECK_STEPS=FILE runs the steps listed in FILE instead (the self-test uses it), one per
# line: "LIMIT_S LABEL COMMAND [ARGS...]", words split on blanks.
set -u
cd "$(dirname "$0")/.." || exit 1
log=$(mktemp /tmp/nsdump-check.XXXXXX)
trap 'rm -f "$log"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Time limits, several times what each kind of step takes on the 2-core machine under load.
UNIT_LIMIT=120
FUZZ_LIMIT=300
SCRIPT_LIMIT=900
LINT_LIMIT=900

steps_failed=0
step() { # LIMIT LABEL COMMAND...
	local limit=$1 label=$2
	shift 2
	tests/run-step.sh "$limit" "$label" "$log" "$@" || steps_failed=$((steps_failed + 1))
}

if [ -n "${ND_CHECK_STEPS:-}" ]; then
	while read -r limit label cmd; do
		[ -z "$limit" ] && continue
		# shellcheck disable=SC2086 # a command line of words, split on purpose
		step "$limit" "$label" $cmd
	done <"$ND_CHECK_STEPS"
else
	step 120 "runner self-test" tests/selftest/t_runner.sh
	step 120 "waits self-test" tests/selftest/t_waits.sh
	for b in build build-asan; do
		for t in "$b"/unit/test_*; do
			step "$UNIT_LIMIT" "unit $t" "$t"
		done
		for f in "$b"/fuzz/fuzz_*; do
			step "$FUZZ_LIMIT" "fuzz corpus replay $f" "$f" "tests/fuzz/corpus/$(basename "$f")"
		done
		for t in tests/integration/t_*.sh; do
			step "$SCRIPT_LIMIT" "$(basename "$t") ($b)" env NSDUMP="$PWD/$b/nsdump" \
				UDPSEND="$PWD/build/tools/udpsend" bash "$t"
		done
	done
	step "$LINT_LIMIT" "lint" scripts/lint.sh
fi

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
skipped=$(grep -c '^skip ' "$log")
if [ "$steps_failed" -gt 0 ]; then
	echo "# $steps_failed failed step(s); their failures:"
	grep '^not ok - ' "$log" | sed 's/^/#   /' | head -n 50
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$steps_failed" -eq 0 ] && [ "$passed" -gt 0 ]
