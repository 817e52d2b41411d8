#!/usr/bin/env bash
# Time to resolve a container, in-process (nsdump -v prints it), against `docker inspect` as a
# process.  Run as root on a host where the container runs:
#   scripts/bench-resolve.sh NAME [RUNS] [NSDUMP]
set -euo pipefail
name=${1:?usage: $0 NAME [RUNS] [NSDUMP]}
runs=${2:-25}
nsdump=${3:-$(dirname "$0")/../build/nsdump}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

stats() { # label: min/median/max of the numbers in $tmp/t (ms)
	sort -n "$tmp/t" | awk -v l="$1" '{ v[NR] = $1 } END {
		printf "%-28s %d runs: min %.3f ms, median %.3f ms, max %.3f ms\n", l, NR, v[1],
			v[int((NR + 1) / 2)], v[NR] }'
}

: >"$tmp/t"
for _ in $(seq 1 "$runs"); do
	"$nsdump" -v -t "$name" --duration 0.01 -w "$tmp/x.pcap" 2>&1 |
		sed -n 's/.* in \([0-9.]*\) ms$/\1/p' >>"$tmp/t"
done
stats "nsdump -t $name"
if command -v docker >/dev/null 2>&1; then
	: >"$tmp/t"
	for _ in $(seq 1 "$runs"); do
		s=${EPOCHREALTIME/[.,]/}
		docker inspect -f '{{.State.Pid}}' "$name" >/dev/null
		e=${EPOCHREALTIME/[.,]/}
		awk -v d=$((e - s)) 'BEGIN { printf "%.3f\n", d / 1000 }' >>"$tmp/t"
	done
	stats "docker inspect $name"
fi
