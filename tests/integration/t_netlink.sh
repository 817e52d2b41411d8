#!/bin/bash
# Forged netlink replies (issue 13, finding 7). nsdump lists a target's links through a netlink
# socket it opens inside the target's namespace; a process there with CAP_NET_ADMIN finds
# its port id in /proc/net/netlink and can send it unicasts. A forged "link dump" must be
# ignored: only the kernel (sender port id 0) answers, with our sequence number and port id
# in every message. The forgery tried here replaces eth0's address, which nsdump uses to tell
# what the target sent (pcapng direction flags). The test-hook build pauses nsdump once that
# socket is open (NSDUMP_TEST_HOOK=netlink-pause), so the forgery is queued before the real
# reply.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
TESTHOOKS=${NSDUMP}-testhooks
NLFORGE=${NLFORGE:-$ND_ROOT/build/tools/nlforge}
for b in "$TESTHOOKS" "$NLFORGE"; do
	if [ ! -x "$b" ]; then
		not_ok "$ND_SCRIPT: $(basename "$b") binary" "$b is not an executable file; build it first"
		exit 1
	fi
done
nd_topo 1 78 || nd_finish

mkfifo "$ND_TMP/go"
exec {go}<>"$ND_TMP/go"

# forge TAG SEQ_WORD NAME IFINDEX NSDUMP_ARGS...: runs the test-hook nsdump with ARGS on the
# target; once it has paused with its netlink socket open, a process in the target sends that
# socket a link dump of one link NAME (IFINDEX, address 02:00:00:00:00:77) with nlmsg_seq and
# nlmsg_pid both 0 (SEQ_WORD zero: what libmnl does not check) or both right (ours), then
# nsdump goes on. Sets ND_PID.
forge() {
	local tag=$1 how=$2 name=$3 index=$4 line port seq fseq=0 fpid=0
	shift 4
	NSDUMP_TEST_HOOK=netlink-pause "$TESTHOOKS" --pid "$TARGET_PID" "$@" <"$ND_TMP/go" \
		>"$ND_TMP/$tag.out" 2>"$ND_TMP/$tag.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
	if ! nd_wait_file_grep "$ND_TMP/$tag.err" '^nsdump: test hook: netlink port [0-9]+ seq [0-9]+$' "$ND_WAIT_S" "$ND_PID"; then
		not_ok "$tag: nsdump paused with its netlink socket open" "$(nd_excerpt "$ND_TMP/$tag.err")"
		return 1
	fi
	line=$(grep '^nsdump: test hook: netlink port' "$ND_TMP/$tag.err")
	port=$(echo "$line" | awk '{ print $6 }')
	seq=$(echo "$line" | awk '{ print $8 }')
	# What the container sees: a NETLINK_ROUTE socket (protocol 0) with that port id.
	check "$tag: the port is in the target's /proc/net/netlink, where a container finds it" \
		"$(ip netns exec "$NS_A" cat /proc/net/netlink |
			awk -v p="$port" 'NR > 1 && $2 == 0 && $3 == p { f = 1 } END { exit !f }'
		echo $?)"
	if [ "$how" = ours ]; then
		fseq=$seq
		fpid=$port
	fi
	line=$(ip netns exec "$NS_A" "$NLFORGE" "$port" "$fseq" "$fpid" "$name" "$index" 2>&1)
	check "$tag: the forged dump is sent ($line)" "$([[ "$line" =~ ^forged\ [0-9]+\ bytes\ to\ $port$ ]]; echo $?)"
	printf x >&"$go" # one byte: the pause reads one
}

# -D: the forged link forged0 (ifindex 77) is not listed; the real ones are.
for how in zero ours; do
	forge "list-$how" "$how" forged0 77 -D || continue
	nd_wait_exit "$ND_PID" 10
	check_eq "list-$how: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/list-$how.err")"
	check_nogrep "list-$how: the forged link is not listed" "$ND_TMP/list-$how.out" 'forged0'
	check_grep "list-$how: the real eth0 is listed" "$ND_TMP/list-$how.out" '^eth0 +2 +veth '
	check_grep "list-$how: the real lo is listed" "$ND_TMP/list-$how.out" '^lo +1 +loopback '
done

# A capture of eth0, where the forgery is eth0 itself with another address: what the target
# sends must still be marked outbound.
for how in zero ours; do
	f=$ND_TMP/cap-$how.pcapng
	forge "cap-$how" "$how" eth0 2 -i eth0 -v -w "$f" || continue
	if nd_wait_ready "cap-$how"; then
		nd_send "$NS_A" 7 "$SINK_B"
		nd_send "$NS_B" 3 "$SINK_A"
		nd_wait_count "$f" 10
		nd_stop INT 5
	fi
	check_eq "cap-$how: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/cap-$how.err")"
	check_eq "cap-$how: direction from eth0's real address: 7 outbound, 3 inbound" \
		"3 0x00000001|7 0x00000002" \
		"$(tshark -r "$f" -T fields -e frame.packet_flags_direction 2>/dev/null | sort | uniq -c | awk '{ print $1, $2 }' | paste -sd'|')"
done

exec {go}>&-
nd_finish
