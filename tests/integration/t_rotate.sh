#!/bin/bash
# Rotation: -C (size), -C with -W (a ring), -G (time) with strftime and -W, %n; every file
# complete on its own; files of a non-root invoker (setuid install) belong to that user.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd capinfos setpriv useradd userdel
NGDUMP=${NGDUMP:-$ND_ROOT/build/tools/ngdump}
nd_topo 1 74 || nd_finish

# complete FILE: SHB, IDB, only EPBs, and an ISB whose delivered count is the file's packets.
complete() {
	local f=$1 n
	"$NGDUMP" "$f" >"$ND_TMP/b" 2>&1 || return 1
	n=$(grep -c '^EPB' "$ND_TMP/b")
	[ "$(awk '{ print $1 }' "$ND_TMP/b" | uniq | paste -sd' ')" = "SHB IDB EPB ISB" ] &&
		grep -Eq "^ISB .* opt8=$n\$" "$ND_TMP/b" && [ "$(count_capinfos "$f")" = "$n" ]
}

total_in() {
	local t=0 f
	for f in "$@"; do t=$((t + $(count_tcpdump "$f"))); done
	echo "$t"
}

d=$ND_TMP/size
mkdir -p "$d"
nd_start_ready size --pid "$TARGET_PID" -v -C 20k -w "$d/cap-%n.pcapng" udp || nd_finish
nd_send "$NS_A" 150 -s 500 "$SINK_B" || true
nd_wait_total 150 "$d"
nd_stop INT
check_eq "-C: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/size.err")"
mapfile -t files < <(find "$d" -type f | sort)
check_eq "-C 20k: 150 packets of 542 bytes make 5 files named cap-pidN.pcapng, then 1, 2, ..." \
	"cap-pid$TARGET_PID.pcapng cap-pid$TARGET_PID.pcapng1 cap-pid$TARGET_PID.pcapng2 cap-pid$TARGET_PID.pcapng3 cap-pid$TARGET_PID.pcapng4" \
	"$(for f in "${files[@]}"; do basename "$f"; done | paste -sd' ')"
check_eq "-C: every packet in exactly one file" 150 "$(total_in "${files[@]}")"
check_grep "-C: statistics count them all" "$ND_TMP/size.err" '^150 packets captured$'
bad=""
for f in "${files[@]}"; do
	complete "$f" || bad="$bad $(basename "$f")"
	[ "$(stat -c %s "$f")" -le 20480 ] || bad="$bad $(basename "$f")(size $(stat -c %s "$f"))"
done
check_eq "-C: each file complete on its own (headers, ISB) and within 20 KiB" "" "$bad"

d=$ND_TMP/gz
mkdir -p "$d"
nd_start_ready gz --pid "$TARGET_PID" -v -C 20k --compress gzip -w "$d/z.pcapng" udp || nd_finish
nd_send "$NS_A" 150 -s 500 "$SINK_B" || true
# Nothing to count before the stop (the open file's gzip stream is whole only once closed):
# the sender's packets are in the capture's ring when its send returns (the kernel hands a
# transmitted packet to packet sockets inside the send), and SIGINT makes nsdump read what
# is queued before it ends (t_stop.sh checks that).
nd_stop INT
check_eq "--compress gzip: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/gz.err")"
mapfile -t files < <(find "$d" -type f | sort)
check_eq "--compress gzip: files named .gz after the number" \
	"z.pcapng.gz z.pcapng1.gz z.pcapng2.gz z.pcapng3.gz z.pcapng4.gz" \
	"$(for f in "${files[@]}"; do basename "$f"; done | paste -sd' ')"
bad=""
for f in "${files[@]}"; do
	gzip -t "$f" 2>/dev/null || bad="$bad $(basename "$f")(gzip)"
	zcat "$f" >"$ND_TMP/unz.pcapng" && complete "$ND_TMP/unz.pcapng" || bad="$bad $(basename "$f")(content)"
done
check_eq "--compress gzip: every file a whole gzip stream of a complete capture" "" "$bad"
check_eq "--compress gzip: tshark reads them, 150 packets in all" 150 \
	"$(for f in "${files[@]}"; do tshark -r "$f" 2>/dev/null; done | wc -l)"

d=$ND_TMP/ring
mkdir -p "$d"
nd_start_ready ring --pid "$TARGET_PID" -v -C 20k -W 3 --format pcap -w "$d/r.pcap" udp || nd_finish
nd_send "$NS_A" 300 -s 500 "$SINK_B" || true
# The ring keeps only the newest files, so no count to wait for: as for gzip above, the
# packets are queued to the capture when the send returns, and SIGINT reads them.
nd_stop INT
mapfile -t files < <(find "$d" -type f | sort)
check_eq "-C -W 3: a ring of three files numbered 0..2" "r.pcap0 r.pcap1 r.pcap2" \
	"$(for f in "${files[@]}"; do basename "$f"; done | paste -sd' ')"
in_ring=$(total_in "${files[@]}")
check "-C -W 3: the ring holds the newest packets only (fewer than 300, more than 60: $in_ring)" \
	"$([ "$in_ring" -lt 300 ] && [ "$in_ring" -gt 60 ]; echo $?)"
last=$(for f in "${files[@]}"; do tcpdump -r "$f" -n -tt 2>/dev/null | tail -1; done | sort | tail -1)
check "-C -W 3: the last packet sent is in the ring" "$([ -n "$last" ]; echo $?)"

d=$ND_TMP/time
mkdir -p "$d"
nd_start_ready time --pid "$TARGET_PID" -v -G 1 -W 2 -w "$d/t-%Y%m%d-%H%M%S-%n.pcapng" udp || nd_finish
ip netns exec "$NS_A" "$UDPSEND" -f -r 100 "$SINK_B" >"$ND_TMP/bg.out" 2>&1 &
bg=$!
nd_track_pid "$bg"
nd_wait_exit "$ND_PID" 6
kill -INT "$bg" 2>/dev/null
nd_wait_exit "$bg" 5
check_eq "-G 1 -W 2: stops by itself, exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/time.err")"
check_grep "-G -W: says why it stopped" "$ND_TMP/time.err" 'stopping: file count reached'
mapfile -t files < <(find "$d" -type f | sort)
check_eq "-G -W 2: two files" 2 "${#files[@]}"
check "-G: names from strftime and %n" "$(for f in "${files[@]}"; do basename "$f"; done | grep -cvE "^t-[0-9]{8}-[0-9]{6}-pid$TARGET_PID\\.pcapng\$" | grep -qx 0; echo $?)"
bad=""
for f in "${files[@]}"; do complete "$f" || bad="$bad $(basename "$f")"; done
check_eq "-G: each file complete" "" "$bad"
got=$(total_in "${files[@]}")
check "-G: about two seconds of 100 packets/s in the files ($got)" "$([ "$got" -ge 150 ] && [ "$got" -le 230 ]; echo $?)"
check_grep "-G: statistics count what the files hold" "$ND_TMP/time.err" "^$got packets captured\$"

# A non-root invoker (in the nsdump group) through a setuid install: rotation goes on after
# privileges are dropped, and every file is theirs.
USER_NAME="ndtr$ND_SUF"
if nd_group_setup && useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME" 2>"$ND_TMP/useradd.err"; then
	ND_USERDEL=$USER_NAME
	uid=$(id -u "$USER_NAME")
	gid=$(id -g "$USER_NAME")
	chmod 755 "$ND_TMP"
	install -m 4750 -o root -g "$ND_GROUP" "$NSDUMP" "$ND_TMP/nsdump-suid"
	d=$ND_TMP/user
	mkdir -p "$d"
	chown "$USER_NAME" "$d"
	ASAN_OPTIONS=detect_leaks=0 setpriv --reuid="$uid" --regid="$gid" --groups="$ND_GROUP_GID" -- \
		"$ND_TMP/nsdump-suid" --pid "$TARGET_PID" -v -C 20k -w "$d/u.pcapng" udp \
		>/dev/null 2>"$ND_TMP/user.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
	if nd_wait_ready user; then
		nd_send "$NS_A" 100 -s 500 "$SINK_B" || true
		nd_wait_total 100 "$d"
		nd_stop INT
		check_eq "setuid, rotating: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/user.err")"
		owners=$(find "$d" -type f -printf '%u\n' | sort | uniq -c | awk '{ print $1, $2 }')
		check_eq "setuid, rotating: 100 packets of 588 bytes make 3 files, all the user's" "3 $USER_NAME" "$owners"
		check_eq "setuid, rotating: all 100 packets kept" 100 "$(total_in "$d"/*)"
	fi
else
	skip "rotation as a non-root user" "cannot create a user: $(nd_excerpt "$ND_TMP/useradd.err")"
fi

nd_run norot --pid "$TARGET_PID" -C 1 -w -
check_eq "-C with standard output: exit 2" 2 "$ND_RC"
nd_run noc --pid "$TARGET_PID" -W 3 -w "$ND_TMP/x.pcap"
check_eq "-W without -C or -G: exit 2" 2 "$ND_RC"

nd_finish
