#!/bin/bash
# libpcap's pseudo-devices (issue 13, finding 8). pcap_create() tries its own capture sources
# before the network interfaces: a container that names an interface nflog, usbmon0,
# dbus-system or bluetooth0 would have nsdump (as root) open the host's netfilter log, USB
# traffic or D-Bus instead. Such names are refused before anything is opened (exit 2), and
# after activation the capture must be a packet socket bound to the interface netlink listed:
# an interface renamed between the listing and the activation is refused (exit 3). The
# test-hook build pauses before the activation (NSDUMP_TEST_HOOK=activate-pause) for the
# renaming. This kernel has no dummy driver: veth pairs inside the namespace stand in.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
TESTHOOKS=${NSDUMP}-testhooks
if [ ! -x "$TESTHOOKS" ]; then
	not_ok "$ND_SCRIPT: test-hook binary" "$TESTHOOKS is not an executable file; build it first"
	exit 1
fi

NS="ndtP$ND_SUF"
NAMES=(nflog nfqueue usbmon0 usbmon1 dbus-system dbus-session bluetooth0)
setup() {
	local i=0 n
	nd_netns_new "$NS" || return 1
	for n in "${NAMES[@]}"; do
		i=$((i + 1))
		ip -n "$NS" link add "$n" type veth peer name "ndtp$i" &&
			ip -n "$NS" link set "$n" up && ip -n "$NS" link set "ndtp$i" up || return 1
	done
}
if ! setup 2>"$ND_TMP/setup.err"; then
	not_ok "set up a namespace with interfaces named like libpcap's pseudo-devices" "$(nd_excerpt "$ND_TMP/setup.err")"
	nd_finish
fi

for n in "${NAMES[@]}"; do
	rm -f "$ND_TMP/p.pcapng"
	nd_run "p-$n" --netns "$NS" -i "$n" --duration 0.3 -w "$ND_TMP/p.pcapng"
	check_eq "-i $n: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/p-$n.err")"
	check_one_error_line "-i $n: one error line" "$ND_TMP/p-$n.err"
	check_grep "-i $n: the message names the interface and why" "$ND_TMP/p-$n.err" \
		"^nsdump: netns $NS: refusing interface '$n': libpcap takes this name for .*, not a network interface \\(rename the interface to capture it\\)$"
	check "-i $n: no output file" "$([ ! -e "$ND_TMP/p.pcapng" ]; echo $?)"
done
# -i all would capture each of them: refused as well, before anything is written.
rm -f "$ND_TMP/p.pcapng"
nd_run p-all --netns "$NS" -i all --duration 0.3 -w "$ND_TMP/p.pcapng"
check_eq "-i all: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/p-all.err")"
check_grep "-i all: refused at the first such name" "$ND_TMP/p-all.err" "^nsdump: netns $NS: refusing interface 'nflog': "
# Listing them is harmless: -D opens no capture.
nd_run p-list --netns "$NS" -D
check_eq "-D lists them: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/p-list.err")"
check_grep "-D lists nflog" "$ND_TMP/p-list.out" '^nflog +[0-9]+ veth '

# A target may name an interface "any": -i any is still libpcap's capture of every interface,
# an unbound packet socket, and stays allowed.
NS_ANY="ndtY$ND_SUF"
if nd_netns_new "$NS_ANY" && ip -n "$NS_ANY" link add any type veth peer name ndtyp 2>"$ND_TMP/any.err" &&
	ip -n "$NS_ANY" link set any up; then
	nd_run any --netns "$NS_ANY" -i any --duration 0.3 -w "$ND_TMP/any.pcapng"
	check_eq "-i any where an interface is named 'any': exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/any.err")"
	check_grep "... captured as -i any (Linux cooked)" "$ND_TMP/any.err" "^nsdump: listening on any in netns $NS_ANY, link-type LINUX_SLL"
else
	not_ok "a namespace with an interface named 'any'" "$(nd_excerpt "$ND_TMP/any.err")"
fi

# The interface listed as eth0 is replaced by another one under that name between the
# listing and the activation: the capture is bound to another ifindex, and refused.
nd_topo 1 79 || nd_finish
mkfifo "$ND_TMP/go"
exec {go}<>"$ND_TMP/go"
if ! {
	ip -n "$NS_A" link add ndtr0 type veth peer name ndtr1 &&
		ip -n "$NS_A" link set ndtr0 up && ip -n "$NS_A" link set ndtr1 up
} 2>"$ND_TMP/r.err"; then
	not_ok "a second interface in the target" "$(nd_excerpt "$ND_TMP/r.err")"
fi
old_index=$(ip -n "$NS_A" -o link show dev eth0 | cut -d: -f1)
new_index=$(ip -n "$NS_A" -o link show dev ndtr0 | cut -d: -f1)
rm -f "$ND_TMP/r.pcapng"
NSDUMP_TEST_HOOK=activate-pause "$TESTHOOKS" --pid "$TARGET_PID" -i eth0 --duration 0.3 \
	-w "$ND_TMP/r.pcapng" <"$ND_TMP/go" >"$ND_TMP/race.out" 2>"$ND_TMP/race.err" &
ND_PID=$!
nd_track_pid "$ND_PID"
if nd_wait_file_grep "$ND_TMP/race.err" '^nsdump: test hook: activating eth0$' "$ND_WAIT_S" "$ND_PID"; then
	{
		ip -n "$NS_A" link set eth0 down && ip -n "$NS_A" link set eth0 name ndtold &&
			ip -n "$NS_A" link set ndtr0 down && ip -n "$NS_A" link set ndtr0 name eth0 &&
			ip -n "$NS_A" link set eth0 up
	} 2>"$ND_TMP/rename.err" || not_ok "rename ndtr0 to eth0" "$(nd_excerpt "$ND_TMP/rename.err")"
	printf x >&"$go"
	nd_wait_exit "$ND_PID" 10
	check_eq "eth0 replaced before the activation: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/race.err")"
	check_grep "eth0 replaced: the message says which interface the capture got" "$ND_TMP/race.err" \
		"^nsdump: PID $TARGET_PID \\(sleep\\): refusing interface 'eth0': the capture is on ifindex $new_index, not on $old_index, the interface listed under that name"
	check "eth0 replaced: no output file" "$([ ! -e "$ND_TMP/r.pcapng" ]; echo $?)"
else
	not_ok "nsdump paused before the activation" "$(nd_excerpt "$ND_TMP/race.err")"
fi
exec {go}>&-

nd_finish
