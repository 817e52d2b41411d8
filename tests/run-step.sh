#!/usr/bin/env bash
# Runs one test step and judges it by more than what it prints:
#   tests/run-step.sh LIMIT_S LABEL LOG CMD [ARGS...]
# The step's whole output is appended to LOG; its "not ok", "skip" and "#" lines go to standard
# output as it runs. The step passes only when all of these hold:
#   - it exits 0 (not by a signal, not after LIMIT_S seconds: it is then killed, with its
#     process group, and reported as timed out);
#   - it prints exactly one plan line "1..N" (first or last), and N is the number of "ok",
#     "not ok" and "skip" lines it printed, so a step that stops half-way fails;
#   - it prints no "not ok" line.
# Every way of failing adds its own line "not ok - LABEL: ..." to LOG and standard output, so
# a crash that printed nothing, or only "ok" lines, is still counted as a failure. Exits 0 when
# the step passed, 1 otherwise.
set -u

if [ "$#" -lt 4 ]; then
	echo "usage: $0 LIMIT_S LABEL LOG CMD [ARGS...]" >&2
	exit 2
fi
limit=$1 label=$2 log=$3
shift 3

out=$(mktemp /tmp/nsdump-step.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT

echo "## $label"
start=${EPOCHREALTIME/[.,]/}
# timeout(1) runs the step in a process group of its own and signals the whole group: TERM
# first (the integration scripts' traps then clean up), KILL 15 s later.
timeout -k 15 "$limit" "$@" </dev/null 2>&1 | tee "$out" | sed -un '/^\(not ok\|skip\|#\)/p'
rc=${PIPESTATUS[0]}
end=${EPOCHREALTIME/[.,]/}
cat "$out" >>"$log"

fail() {
	echo "not ok - $label: $1" | tee -a "$log"
}

failed=0
if [ "$rc" -eq 124 ] || { [ "$rc" -eq 137 ] && [ "$((end - start))" -ge "$((limit * 1000000))" ]; }; then
	fail "timed out after $limit s (killed)"
	failed=1
elif [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
	sig=$(kill -l "$((rc - 128))" 2>/dev/null || echo "$((rc - 128))")
	fail "killed by SIG$sig"
	failed=1
elif [ "$rc" -ne 0 ]; then
	fail "exited $rc"
	failed=1
fi
# TAP lines only at the start of a line: indented excerpts of a failure are not counted.
ran=$(grep -cE '^(ok|not ok|skip)( |$)' "$out")
plans=$(grep -E '^1\.\.[0-9]+$' "$out")
nplans=$(grep -cE '^1\.\.[0-9]+$' "$out")
if [ "$nplans" -eq 0 ]; then
	fail "no plan (no line 1..N) after $ran test lines: it stopped before saying how many it meant to run"
	failed=1
elif [ "$nplans" -gt 1 ]; then
	fail "$nplans plan lines: $(echo "$plans" | paste -sd' ')"
	failed=1
elif [ "${plans#1..}" -ne "$ran" ]; then
	fail "planned ${plans#1..} tests, ran $ran"
	failed=1
elif [ "$ran" -eq 0 ] && [ "$failed" -eq 0 ]; then
	fail "ran no test"
	failed=1
fi
if grep -q '^not ok' "$out"; then
	failed=1
fi
echo "# $label: $(((end - start) / 1000)) ms"
exit "$failed"
