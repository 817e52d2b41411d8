#!/usr/bin/env bash
# The test runner's self-test (make check runs it first): stand-in steps that fail in each way
# a real one can, fed to tests/run-step.sh and to tests/run-all.sh, must each be counted as a
# failure naming the step, however little they printed; well-behaved stand-ins must pass.
. "$(dirname "$0")/../integration/lib.sh"

top=$ND_ROOT
S=$ND_TMP/standin
mkdir -p "$S"

# standin NAME BODY: a bash script $S/NAME.
standin() {
	printf '#!/usr/bin/env bash\n%s\n' "$2" >"$S/$1"
	chmod +x "$S/$1"
}
standin crash 'echo "ok - the one check before the crash"; kill -SEGV $$'
standin asan 'echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow" >&2; exit 99'
standin silent-exit 'exit 3'
standin unmet-plan 'echo 1..3; echo "ok - first of three"'
standin no-plan 'echo "ok - the only check"'
standin hang 'echo "ok - before the hang"; sleep 300'
# An integration script that stops half-way, as a `set -e` exit or a missing tool would end it:
# lib.sh prints its plan only in nd_finish.
standin half-way ". '$top/tests/integration/lib.sh'; ok 'first'; exit 2; ok 'never'; nd_finish"
standin good 'echo "ok - one"; echo "ok - two"; echo 1..2'
standin plan-first 'echo 1..2; echo "ok - one"; echo "skip - two: no reason to run"'
standin lib-good ". '$top/tests/integration/lib.sh'; ok 'first'; skip 'second' 'not here'; nd_finish"

# step NAME LIMIT: runs the stand-in through run-step.sh; sets RC, output in $ND_TMP/NAME.out.
step() {
	"$top/tests/run-step.sh" "$2" "$1" "$ND_TMP/$1.log" "$S/$1" >"$ND_TMP/$1.out" 2>&1
	RC=$?
}

# fails NAME LIMIT REGEX: the step fails, with a line "not ok - NAME: ..." matching REGEX.
fails() {
	step "$1" "$2"
	check_eq "run-step: $1 counts as a failure (exit 1)" 1 "$RC" "$(nd_excerpt "$ND_TMP/$1.out")"
	check_grep "run-step: $1 is reported by name" "$ND_TMP/$1.out" "^not ok - $1: $3"
	check_grep "run-step: $1's failure is in the log make check counts" "$ND_TMP/$1.log" \
		"^not ok - $1: $3"
}
fails crash 10 'killed by SIGSEGV$'
fails asan 10 'exited 99$'
fails silent-exit 10 'exited 3$'
fails unmet-plan 10 'planned 3 tests, ran 1$'
fails no-plan 10 'no plan'
fails half-way 10 'exited 2$'
t0=$(nd_now_ms)
fails hang 2 'timed out after 2 s'
t1=$(nd_now_ms)
if [ $((t1 - t0)) -lt 10000 ]; then
	ok "run-step: the hang was ended at its limit ($((t1 - t0)) ms for a 2 s limit)"
else
	not_ok "run-step: the hang was ended at its limit" "took $((t1 - t0)) ms"
fi
if pgrep -f "$S/hang" >/dev/null; then
	not_ok "run-step: nothing of the hung step is left running" "$(pgrep -af "$S/hang")"
else
	ok "run-step: nothing of the hung step is left running"
fi
for g in good plan-first lib-good; do
	step "$g" 10
	check_eq "run-step: $g passes" 0 "$RC" "$(nd_excerpt "$ND_TMP/$g.out")"
	check_nogrep "run-step: $g adds no failure line" "$ND_TMP/$g.out" '^not ok'
done

# The same failures through tests/run-all.sh, as make check runs it: each makes it exit
# non-zero with a line naming the step, next to a step that passes.
for bad in crash silent-exit unmet-plan hang; do
	printf '10 good %s\n%s %s %s\n' "$S/good" "$([ $bad = hang ] && echo 2 || echo 10)" "$bad" \
		"$S/$bad" >"$ND_TMP/steps"
	ND_CHECK_STEPS=$ND_TMP/steps "$top/tests/run-all.sh" >"$ND_TMP/all-$bad.out" 2>&1
	rc=$?
	check "run-all: a step '$bad' makes the run exit non-zero" "$([ $rc -ne 0 ]; echo $?)" \
		"exit $rc: $(nd_excerpt "$ND_TMP/all-$bad.out")"
	check_grep "run-all: '$bad' is named in a failure line" "$ND_TMP/all-$bad.out" "not ok - $bad: "
	check_grep "run-all: the summary counts it" "$ND_TMP/all-$bad.out" '^[0-9]+ passed, [1-9][0-9]* failed, 0 skipped$'
done
printf '10 good %s\n10 lib-good %s\n' "$S/good" "$S/lib-good" >"$ND_TMP/steps"
ND_CHECK_STEPS=$ND_TMP/steps "$top/tests/run-all.sh" >"$ND_TMP/all-good.out" 2>&1
check_eq "run-all: passing steps only: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/all-good.out")"
check_grep "run-all: passing steps only: the summary" "$ND_TMP/all-good.out" '^3 passed, 0 failed, 1 skipped$'

nd_finish
