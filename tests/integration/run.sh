#!/bin/bash
# Run integration tests with the environment given (NSDUMP, UDPSEND), each as one step of
# tests/run-step.sh (a crash, a non-zero exit, a hang or a missing plan fails it):
#   NSDUMP=build/nsdump UDPSEND=build/tools/udpsend tests/integration/run.sh [t_foo.sh ...]
# Prints each script's "not ok", "skip" and "#" lines; exits 1 if any failed.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
if [ "$#" -eq 0 ]; then
	set -- "$dir"/t_*.sh
fi
log=$(mktemp /tmp/nsdump-integration.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
for t in "$@"; do
	case "$t" in */*) ;; *) t=$dir/$t ;; esac
	"$dir/../run-step.sh" 900 "$(basename "$t")" "$log" bash "$t" || status=1
done
echo "$(grep -c '^ok ' "$log") passed, $(grep -c '^not ok ' "$log") failed, $(grep -c '^skip ' "$log") skipped"
exit "$status"
