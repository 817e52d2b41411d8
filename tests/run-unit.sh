#!/usr/bin/env bash
# Runs unit test binaries; each prints "ok - ..." / "not ok - ..." lines.
set -u
rc=0
for t in "$@"; do
	echo "# unit: $t"
	"$t" || rc=1
done
exit $rc
