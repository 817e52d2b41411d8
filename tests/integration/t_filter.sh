#!/bin/bash
# Filters: words joined into one expression, one quoted argument, -F FILE;
# a bad filter exits 2 with libpcap's message and captures nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
nd_topo 1 30 || nd_finish

# filtered TAG WANT_PORT EXPECTED ARGS...: send 30 to 7001 and 20 to 7002,
# interleaved, capture with ARGS; exactly EXPECTED, all to WANT_PORT.
filtered() {
	local tag=$1 port=$2 want=$3 f=$ND_TMP/$1.pcap
	shift 3
	if ! nd_start_ready "$tag" -v --pid "$TARGET_PID" -w "$f" "$@"; then return; fi
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		nd_send "$NS_A" 3 -p 7001 "$SINK_B" || break
		nd_send "$NS_A" 2 -p 7002 "$SINK_B" || break
	done
	nd_wait_count "$f" "$want"
	nd_stop INT 5
	check_eq "$tag: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_count_all "$tag: exactly $want packets" "$f" "$want"
	check_count "$tag: all to port $port" "$f" "$want" udp dst port "$port"
	check_stats "$tag: statistics say $want captured" "$ND_TMP/$tag.err" "$want"
}

filtered words 7001 30 udp dst port 7001
filtered one-arg 7001 30 "udp dst port 7001"
echo "udp dst port 7002" >"$ND_TMP/filter.txt"
filtered dash-F 7002 20 -F "$ND_TMP/filter.txt"
filtered compound 7002 20 udp and dst host "$SINK_B" and not dst port 7001

# A bad filter: exit 2, libpcap's message on one line, nothing written.
bad=$ND_TMP/bad.pcap
nd_run bad --pid "$TARGET_PID" -w "$bad" udp port banana
check_eq "bad filter: exit 2" 2 "$ND_RC"
check_one_error_line "bad filter: one error line" "$ND_TMP/bad.err"
check_grep "bad filter: libpcap's message names the bad word" "$ND_TMP/bad.err" "banana"
if [ ! -e "$bad" ] || [ ! -s "$bad" ]; then
	ok "bad filter: -w file not created or empty"
else
	not_ok "bad filter: -w file not created or empty" "$(stat -c %s "$bad") bytes"
fi

# Same with traffic running while it starts: still no packets anywhere.
ip netns exec "$NS_A" "$UDPSEND" -f -r 1000 "$SINK_B" >"$ND_TMP/bg.out" 2>&1 &
bg=$!
nd_track_pid "$bg"
nd_run bad2 --pid "$TARGET_PID" -w - udp port banana
rc=$ND_RC
kill -INT "$bg" 2>/dev/null
nd_wait_exit "$bg" 5
check_eq "bad filter, -w -: exit 2" 2 "$rc"
check_eq "bad filter, -w -: nothing on stdout" 0 "$(wc -c <"$ND_TMP/bad2.out")"

echo "udp port banana" >"$ND_TMP/badfilter.txt"
nd_run bad3 --pid "$TARGET_PID" -w "$ND_TMP/bad3.pcap" -F "$ND_TMP/badfilter.txt"
check_eq "bad filter in -F file: exit 2" 2 "$ND_RC"
check_one_error_line "bad filter in -F file: one error line" "$ND_TMP/bad3.err"

nd_finish
