#!/bin/bash
# Run every integration test with the environment given (NSDUMP, UDPSEND):
#   NSDUMP=build/nsdump UDPSEND=build/tools/udpsend tests/integration/run.sh [t_foo.sh ...]
# Prints "# t_foo.sh" before each script's own lines; exits 1 if any failed.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
if [ "$#" -eq 0 ]; then
	set -- "$dir"/t_*.sh
fi
status=0
for t in "$@"; do
	case "$t" in */*) ;; *) t=$dir/$t ;; esac
	echo "# $(basename "$t")"
	bash "$t" </dev/null || status=1
done
exit "$status"
