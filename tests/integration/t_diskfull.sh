#!/bin/bash
# A full disk ends the capture with exit 1 and a file that holds whole packets only.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd mount umount
nd_topo 1 72 || nd_finish

mnt=$ND_TMP/small
mkdir -p "$mnt"
# 16 pages: room for the 24-byte header and 42 records of 16 + 1514 bytes, not a 43rd.
if ! mount -t tmpfs -o size=64k,mode=0755 ndtfull "$mnt" 2>"$ND_TMP/mount.err"; then
	nd_skip_all "cannot mount a small tmpfs: $(nd_excerpt "$ND_TMP/mount.err")"
fi
trap 'umount "$mnt" 2>/dev/null; nd_cleanup' EXIT
f=$mnt/full.pcap

nd_start_ready full --pid "$TARGET_PID" -v --format pcap -w "$f" udp || nd_finish
nd_send "$NS_A" 100 -s 1472 "$SINK_B" || true
nd_wait_exit "$ND_PID" 5
check_eq "disk full: exit 1" 1 "$ND_RC" "$(nd_excerpt "$ND_TMP/full.err")"
check_grep "disk full: the error names the file and the cause" "$ND_TMP/full.err" "^nsdump: cannot write to $f.*No space left on device"
check_grep "disk full: the error says how many packets the file holds" "$ND_TMP/full.err" 'holds the first 42 packets'
check_count "disk full: the file reads back with exactly 42 whole packets" "$f" 42
check_eq "disk full: file size is the header plus 42 whole records" $((24 + 42 * 1530)) "$(stat -c %s "$f")"
check_eq "disk full: capinfos reads it" 42 "$(count_capinfos "$f")"
rm -f "$f"

# pcapng: the same, with blocks. Each EPB of a 1514-byte frame takes 1556 bytes (28 + 1516 + epb_flags 8 + 4).
NGDUMP=${NGDUMP:-$ND_ROOT/build/tools/ngdump}
f=$mnt/full.pcapng
nd_start_ready fullng --pid "$TARGET_PID" -v -w "$f" udp || nd_finish
nd_send "$NS_A" 100 -s 1472 "$SINK_B" || true
nd_wait_exit "$ND_PID" 5
check_eq "pcapng disk full: exit 1" 1 "$ND_RC" "$(nd_excerpt "$ND_TMP/fullng.err")"
"$NGDUMP" "$f" >"$ND_TMP/blocks" 2>&1
check_eq "pcapng disk full: every block in the file is whole" 0 "$?" "$(tail -1 "$ND_TMP/blocks")"
head_len=$(awk '$1 == "SHB" || $1 == "IDB" { sub("len=", "", $2); n += $2 } END { print n }' "$ND_TMP/blocks")
want=$(((65536 - head_len) / 1556))
check_eq "pcapng disk full: as many whole packets as fit ($want)" "$want" "$(count_tcpdump "$f")"
check_grep "pcapng disk full: the message gives that number" "$ND_TMP/fullng.err" "holds the first $want packets"
check_eq "pcapng disk full: file size is the headers plus whole blocks" $((head_len + want * 1556)) "$(stat -c %s "$f")"

nd_finish
