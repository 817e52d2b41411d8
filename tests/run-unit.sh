#!/usr/bin/env bash
# Runs unit test binaries, each as one step of tests/run-step.sh (a crash, a non-zero exit or a
# missing plan fails it); exits 1 if any failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp /tmp/nsdump-unit.XXXXXX)
trap 'rm -f "$log"' EXIT
rc=0
for t in "$@"; do
	"$top/tests/run-step.sh" 120 "unit $t" "$log" "$t" || rc=1
done
echo "$(grep -c '^ok ' "$log") passed, $(grep -c '^not ok ' "$log") failed"
exit $rc
