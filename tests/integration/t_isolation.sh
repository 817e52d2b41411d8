#!/bin/bash
# Isolation: traffic in another namespace pair with the SAME addresses and
# ports, and on the host's loopback, is not captured; only the target's is.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions

# The decoy pair first (same subnet, same ports), then the target pair.
nd_topo 2 20 || nd_finish
DECOY_A=$NS_A
nd_topo 1 20 || nd_finish

N=60

# noise_start: decoy-namespace and host-loopback senders, 2000/s each, same
# destination port, forever; their PIDs in NOISE_PIDS.  (The host sender
# uses an ephemeral source port so that concurrent runs cannot collide.)
noise_start() {
	NOISE_PIDS=()
	NOISE_BASE_DECOY=$(tx_of "$DECOY_A" eth0)
	NOISE_BASE_LO=$(tx_of "" lo)
	ip netns exec "$DECOY_A" "$UDPSEND" -f -r 2000 -P 40002 "$SINK_B" >"$ND_TMP/noise1.out" 2>&1 &
	NOISE_PIDS+=($!)
	"$UDPSEND" -f -r 2000 127.0.0.1 >"$ND_TMP/noise2.out" 2>&1 &
	NOISE_PIDS+=($!)
	local p
	for p in "${NOISE_PIDS[@]}"; do nd_track_pid "$p"; done
}

# tx_of NS DEV: packets DEV in NS ("" = the host) has sent.
tx_of() {
	if [ -n "$1" ]; then
		ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_packets"
	else
		cat "/sys/class/net/$2/statistics/tx_packets"
	fi 2>/dev/null || echo 0
}

# shellcheck disable=SC2317 # called through nd_poll
# noise_flowing: both senders have sent 100 more packets since noise_start.
noise_flowing() {
	[ "$(tx_of "$DECOY_A" eth0)" -ge $((NOISE_BASE_DECOY + 100)) ] &&
		[ "$(tx_of "" lo)" -ge $((NOISE_BASE_LO + 100)) ]
}

# noise_stop: end the senders and check they really sent something.
noise_stop() {
	local p rc=0
	for p in "${NOISE_PIDS[@]}"; do
		nd_is_ours "$p" && kill -INT "$p" 2>/dev/null
		nd_wait_exit "$p" 5 || rc=1
	done
	if [ "$rc" -eq 0 ] && grep -Eq '^sent [1-9]' "$ND_TMP/noise1.out" &&
		grep -Eq '^sent [1-9]' "$ND_TMP/noise2.out"; then
		ok "$1: noise was really sent ($(cat "$ND_TMP/noise1.out") in the decoy ns, $(cat "$ND_TMP/noise2.out") on host lo)"
	else
		not_ok "$1: noise was really sent" "$(nd_excerpt "$ND_TMP/noise1.out") / $(nd_excerpt "$ND_TMP/noise2.out")"
	fi
}

# isolated TAG ARGS...: capture with ARGS while noise runs; exactly N.
isolated() {
	local tag=$1 f=$ND_TMP/$1.pcap
	shift
	noise_start
	if nd_start_ready "$tag" -v --pid "$TARGET_PID" "$@" -w "$f"; then
		nd_poll "$ND_WAIT_S" "$tag: the noise flowing in the decoy namespace and on lo" noise_flowing
		nd_send "$NS_A" "$N" -P 40001 -i 2 "$SINK_B"
		nd_wait_count "$f" "$N"
		nd_stop INT 5
		check_eq "$tag: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
		check_count_all "$tag: exactly the $N target packets" "$f" "$N"
		check_count "$tag: all from the target's socket" "$f" "$N" \
			udp src port 40001 and src host "$IP_A" and dst host "$SINK_B"
		check_count "$tag: none from the decoy namespace or host loopback" "$f" 0 \
			udp src port 40002 or host 127.0.0.1
		check_stats "$tag: statistics say $N captured" "$ND_TMP/$tag.err" "$N"
	fi
	noise_stop "$tag"
}

isolated eth0
isolated any -i any

# And the decoy pair itself is capturable (the noise is real traffic).
f=$ND_TMP/decoy.pcap
noise_start
if nd_start_ready decoy -v --netns "$DECOY_A" -c 5 -w "$f"; then
	nd_wait_exit "$ND_PID" 5
	check_eq "decoy namespace: -c 5 exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/decoy.err")"
	check_count "decoy namespace: its own 5 packets" "$f" 5 udp src port 40002
fi
noise_stop decoy

nd_finish
