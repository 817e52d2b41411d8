#!/bin/bash
# Wireshark extcap mode, driven by the real tshark: nsdump linked into a personal extcap folder
# ($XDG_CONFIG_HOME/wireshark/extcap, which tshark 4.0 searches besides its global one) shows
# the test's namespaces and a real Docker container in `tshark -D`; `tshark -i IF -c 5`
# captures exactly 5 packets; `-f` reaches nsdump as --extcap-capture-filter (only matching
# packets arrive); SIGINT to tshark ends nsdump with it; a non-root member of group nsdump
# captures through a file-capability copy. Also the protocol's answers themselves, and errors.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd setpriv useradd userdel groupadd groupdel setcap pgrep
# Sourced first: runtimes.sh takes the runtimes lock, which comes before the group lock
# taken below (lib.sh), as in every other test; the other order deadlocks against them.
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
nd_topo 1 77 || nd_finish

# The personal extcap folder, readable by the non-root user of the last part.
chmod 755 "$ND_TMP"
xdg=$ND_TMP/xdg
mkdir -p "$xdg/wireshark/extcap" "$ND_TMP/home"
chmod -R 755 "$xdg" "$ND_TMP/home"
ln -s "$NSDUMP" "$xdg/wireshark/extcap/nsdump"
ts() { XDG_CONFIG_HOME=$xdg HOME=$ND_TMP/home "$@"; }
IF_A=nsdump-netns-$NS_A

# ---- the protocol, asked directly ------------------------------------------------------

nd_run ifaces --extcap-interfaces --extcap-version=4.0
check_eq "--extcap-interfaces: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/ifaces.err")"
check_eq "--extcap-interfaces: first line is the extcap sentence with nsdump's version" \
	"extcap {version=$("$NSDUMP" --version | awk '{ print $2 }')}{help=file:///usr/share/doc/nsdump/extcap.md}" \
	"$(head -n 1 "$ND_TMP/ifaces.out")"
check_eq "--extcap-interfaces: both test namespaces, once each" "1/1" \
	"$(grep -cFx "interface {value=$IF_A}{display=nsdump: network namespace $NS_A (ip netns)}" "$ND_TMP/ifaces.out")/$(grep -cF "{value=nsdump-netns-$NS_B}" "$ND_TMP/ifaces.out")"
if grep -Evq '^(extcap|interface) \{[^{}]*\}\{[^{}]*\}$' "$ND_TMP/ifaces.out"; then
	not_ok "--extcap-interfaces: every line is well-formed" "$(nd_excerpt "$ND_TMP/ifaces.out")"
else
	ok "--extcap-interfaces: every line is well-formed"
fi

nd_run dlts --extcap-dlts --extcap-interface "$IF_A"
check_eq "--extcap-dlts: Ethernet, exit 0" "0 dlt {number=1}{name=EN10MB}{display=Ethernet}" \
	"$ND_RC $(cat "$ND_TMP/dlts.out")"
nd_run config --extcap-config --extcap-interface="$IF_A"
check_eq "--extcap-config: exit 0, the mode selector with three values and the interface" \
	"0 arg-0:--mode:selector arg-1:--target-interface:string value-0:auto,veth,setns" \
	"$ND_RC $(sed -n 's/^arg {number=\([0-9]\)}{call=\([^}]*\)}.*{type=\([a-z]*\)}.*/arg-\1:\2:\3/p' "$ND_TMP/config.out" | paste -sd' ') value-0:$(sed -n 's/^value {arg=0}{value=\([a-z]*\)}.*/\1/p' "$ND_TMP/config.out" | paste -sd,)"
# A container or pod interface also offers "follow restarts" (nsdump's --follow, a boolflag:
# Wireshark passes it alone when checked); a namespace, which --follow refuses, does not. The
# kind is read off the name, so the container need not exist.
args_of() { sed -n 's/^arg {number=\([0-9]\)}{call=\([^}]*\)}.*{type=\([a-z]*\)}.*/arg-\1:\2:\3/p' "$1" | paste -sd' '; }
nd_run dconfig --extcap-config --extcap-interface "nsdump-docker-ndtNoSuch$ND_SUF"
check_eq "--extcap-config, a Docker interface: exit 0, the two options and the boolflag --follow" \
	"0 arg-0:--mode:selector arg-1:--target-interface:string arg-2:--follow:boolflag" \
	"$ND_RC $(args_of "$ND_TMP/dconfig.out")" "$(nd_excerpt "$ND_TMP/dconfig.err")"
check_grep "--extcap-config, a Docker interface: follow restarts, off by default" "$ND_TMP/dconfig.out" \
	'^arg \{number=2\}\{call=--follow\}\{display=Follow restarts\}\{type=boolflag\}\{default=false\}\{tooltip=[^{}]+\}$'
nd_run pconfig --extcap-config --extcap-interface=nsdump-pod-shop-web-0
check_eq "--extcap-config, a pod interface: --follow offered too" \
	"0 arg-2:--follow:boolflag" "$ND_RC $(args_of "$ND_TMP/pconfig.out" | grep -o 'arg-2:[^ ]*')"
check_eq "--extcap-config, a namespace interface: no --follow" 0 "$(grep -c -- '--follow' "$ND_TMP/config.out")"
nd_run nfollow --capture --extcap-interface "$IF_A" --fifo "$ND_TMP/nofifo" --follow
check_eq "--capture --follow of a namespace interface: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/nfollow.err")"
check_one_error_line "--capture --follow of a namespace interface: one error line" "$ND_TMP/nfollow.err"
check_grep "--capture --follow of a namespace: says there is nothing to follow" "$ND_TMP/nfollow.err" \
	"^nsdump: extcap: --follow waits for a container or pod to start .* with a network namespace \($IF_A\) there is nothing to follow$"

# Wireshark's filter check: silence for a valid filter, a reason on stdout otherwise.
nd_run fgood --extcap-interface "$IF_A" --extcap-capture-filter 'udp port 5001'
check_eq "filter check: a valid filter prints nothing, exit 0" "0:0" "$ND_RC:$(wc -c <"$ND_TMP/fgood.out")"
nd_run fbad --extcap-interface "$IF_A" --extcap-capture-filter 'udp port'
check_eq "filter check: an invalid one prints one line, exit 0" "0:1" "$ND_RC:$(grep -c '' "$ND_TMP/fbad.out")"
check_grep "filter check: libpcap's reason" "$ND_TMP/fbad.out" 'syntax error'

nd_run unknown --capture --extcap-interface "nsdump-netns-ndtNoSuch$ND_SUF" --fifo "$ND_TMP/nofifo"
check_eq "unknown netns interface: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/unknown.err")"
check_one_error_line "unknown netns interface: one error line" "$ND_TMP/unknown.err"
nd_run unknown2 --capture --extcap-interface=wlan0 --fifo="$ND_TMP/nofifo"
check_eq "interface without nsdump's prefix: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/unknown2.err")"
check_grep "interface without nsdump's prefix: says which names exist" "$ND_TMP/unknown2.err" \
	"^nsdump: extcap: no interface 'wlan0': nsdump's are nsdump-docker-NAME"
nd_run unknown3 --capture --extcap-interface "nsdump-docker-ndtNoSuch$ND_SUF" --fifo "$ND_TMP/nofifo"
check_eq "unknown container interface: exit 3" 3 "$ND_RC" "$(nd_excerpt "$ND_TMP/unknown3.err")"
check_one_error_line "unknown container interface: one error line" "$ND_TMP/unknown3.err"
check_eq "unknown interface: no FIFO or file created" no "$([ -e "$ND_TMP/nofifo" ] && echo yes || echo no)"
nd_run badarg --extcap-interfaces --frobnicate
check_eq "unknown extcap argument: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/badarg.err")"
check_one_error_line "unknown extcap argument: one error line" "$ND_TMP/badarg.err"
nd_run nofifo --capture --extcap-interface "$IF_A"
check_eq "--capture without --fifo: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/nofifo.err")"

# make install's link in Wireshark's extcap folder (into a DESTDIR: nothing on the system).
ma=$(${CC:-cc} -print-multiarch)
make -s -C "$ND_ROOT" --no-print-directory install-extcap DESTDIR="$ND_TMP/inst" PREFIX=/usr \
	>"$ND_TMP/inst.log" 2>&1
check_eq "make install-extcap: /usr/lib/$ma/wireshark/extcap/nsdump -> /usr/sbin/nsdump" \
	"0 /usr/sbin/nsdump" "$? $(readlink "$ND_TMP/inst/usr/lib/$ma/wireshark/extcap/nsdump")" \
	"$(nd_excerpt "$ND_TMP/inst.log")"
make -s -C "$ND_ROOT" --no-print-directory uninstall-extcap DESTDIR="$ND_TMP/inst" PREFIX=/usr \
	>"$ND_TMP/uninst.log" 2>&1
check_eq "make uninstall-extcap removes the link" "0 gone" \
	"$? $([ -L "$ND_TMP/inst/usr/lib/$ma/wireshark/extcap/nsdump" ] && echo there || echo gone)"

# ---- through tshark ----------------------------------------------------------------------

ts tshark -D >"$ND_TMP/D.out" 2>"$ND_TMP/D.err"
check_eq "tshark -D: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/D.err")"
check_grep "tshark -D lists the namespace target" "$ND_TMP/D.out" \
	"^[0-9]+\\. $IF_A \\(nsdump: network namespace $NS_A \\(ip netns\\)\\)$"

# ts_start TAG ARGS...: tshark ARGS in the background (TS_PID); waits (<= ND_WAIT_S) for its nsdump
# child (NSD_PID) to have a running packet socket in the namespace of process $2 (TARGET_PID
# for setns mode, $$ for the host end of a veth).
ts_start() {
	local tag=$1 where=$2 limit
	shift 2
	# Not through ts(): $! must be tshark itself, whose child nsdump is.
	XDG_CONFIG_HOME=$xdg HOME=$ND_TMP/home tshark "$@" >"$ND_TMP/$tag.ts.out" 2>"$ND_TMP/$tag.ts.err" &
	TS_PID=$!
	nd_track_pid "$TS_PID"
	NSD_PID=""
	limit=$(($(nd_now_ms) + ND_WAIT_S * 1000))
	while [ -z "$NSD_PID" ]; do
		NSD_PID=$(pgrep -P "$TS_PID" -f -- "--capture" | head -n 1)
		if [ "$(nd_now_ms)" -ge "$limit" ] || nd_exited "$TS_PID"; then
			not_ok "$tag: tshark started nsdump" "$(nd_excerpt "$ND_TMP/$tag.ts.err")"
			return 1
		fi
		[ -n "$NSD_PID" ] || sleep 0.05
	done
	local save_pid=${ND_PID:-} save_target=$TARGET_PID rc
	ND_PID=$NSD_PID
	TARGET_PID=$where
	nd_wait_socket "$tag"
	rc=$?
	ND_PID=$save_pid
	TARGET_PID=$save_target
	return "$rc"
}

# ts_done TAG: tshark (TS_PID) exited 0 within 10 s, and nsdump with it.
ts_done() {
	nd_wait_exit "$TS_PID" 10
	grep -v 'Running as user' "$ND_TMP/$1.ts.err" >"$ND_TMP/$1.ts.err2"
	check_eq "$1: tshark exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$1.ts.err2")"
	local i
	for i in $(seq 1 600); do # 30 s at most
		[ -d "/proc/$NSD_PID" ] || break
		sleep 0.05
	done
	check_eq "$1: nsdump ended with tshark" gone "$([ -d "/proc/$NSD_PID" ] && echo running || echo gone)"
}

# -c 5: exactly 5 of the 8 datagrams sent.
f=$ND_TMP/five.pcapng
if ts_start five "$TARGET_PID" -i "$IF_A" -c 5 -w "$f"; then
	nd_send "$NS_A" 8 -i 20 -p 5001 "$SINK_B"
	ts_done five
	check_count_all "tshark -i $IF_A -c 5: exactly 5 packets" "$f" 5
	check_count "five: all of them the test's UDP to $SINK_B" "$f" 5 udp dst port 5001 and dst host "$SINK_B"
	check_eq "five: pcapng interface names the namespace" "$NS_A/eth0" \
		"$(tshark -r "$f" -T fields -e frame.interface_name 2>/dev/null | sort -u)"
fi

# -f: the capture filter is nsdump's BPF filter. 4 datagrams to another port first, then 3
# matching ones: -c 3 ends with exactly those 3.
f=$ND_TMP/filter.pcapng
if ts_start filter "$TARGET_PID" -i "$IF_A" -f 'udp dst port 5001' -c 3 -w "$f"; then
	check_eq "filter: tshark hands it to nsdump as --extcap-capture-filter" 1/1 \
		"$(tr '\0' '\n' <"/proc/$NSD_PID/cmdline" | grep -A1 -cx -- --extcap-capture-filter)/$(tr '\0' '\n' <"/proc/$NSD_PID/cmdline" | grep -cx 'udp dst port 5001')"
	nd_send "$NS_A" 4 -i 20 -p 5002 "$SINK_B"
	nd_send "$NS_A" 3 -i 20 -p 5001 "$SINK_B"
	ts_done filter
	check_count_all "tshark -f 'udp dst port 5001' -c 3: 3 packets" "$f" 3
	check_count "filter: all 3 to port 5001, none to 5002" "$f" 3 udp dst port 5001
fi

# No -c: tshark stopped by SIGINT stops nsdump (SIGTERM from tshark), every packet kept.
f=$ND_TMP/stop.pcapng
if ts_start stop "$TARGET_PID" -i "$IF_A" -w "$f"; then
	nd_send "$NS_A" 6 -i 20 -p 5001 "$SINK_B"
	nd_wait_count "$f" 6
	kill -INT "$TS_PID"
	ts_done stop
	check_count_all "SIGINT to tshark: the 6 packets sent are in the file" "$f" 6
fi

# Without tshark, as Wireshark runs it: the FIFO's reader keeps all, SIGTERM ends the capture
# with exit 0 and a complete file.
fifo=$ND_TMP/term.fifo
mkfifo "$fifo"
cat "$fifo" >"$ND_TMP/term.pcapng" &
nd_track_pid $!
cat_pid=$!
if nd_start term --capture --extcap-interface "$IF_A" --fifo "$fifo" && nd_wait_socket term; then
	nd_send "$NS_A" 3 -i 20 -p 5001 "$SINK_B"
	nd_wait_count "$ND_TMP/term.pcapng" 3
	nd_stop TERM 5
	check_eq "--capture, SIGTERM: exit 0, nothing on stderr (-q)" "0:0" "$ND_RC:$(wc -c <"$ND_TMP/term.err")"
	nd_wait_exit "$cat_pid" "$ND_WAIT_S"
	check_count_all "--capture, SIGTERM: the 3 packets in the FIFO's stream" "$ND_TMP/term.pcapng" 3
fi
# The reader goes away (Wireshark closing the FIFO): the next write fails with EPIPE and
# nsdump stops in order, exit 0.
fifo=$ND_TMP/pipe.fifo
mkfifo "$fifo"
cat "$fifo" >/dev/null &
nd_track_pid $!
reader=$!
if nd_start pipe --capture --extcap-interface "$IF_A" --fifo "$fifo" && nd_wait_socket pipe; then
	kill "$reader"
	nd_wait_exit "$reader" "$ND_WAIT_S"
	nd_send "$NS_A" 3 -i 20 -p 5001 "$SINK_B"
	nd_wait_exit "$ND_PID" 5
	check_eq "--capture, reader gone: exit 0 by itself, nothing on stderr" "0:0" \
		"$ND_RC:$(wc -c <"$ND_TMP/pipe.err")"
fi
# When the FIFO is opened (docs/extcap.md): after the capture, before the privileges are
# dropped (with the invoker's own rights, as any -w). While its open waits for Wireshark's
# reader, the capabilities of the capture are still permitted; once it is open, none is left.
fifo=$ND_TMP/order.fifo
mkfifo "$fifo"
cap_prm() { awk '$1 == "CapPrm:" { print $2 }' "/proc/$ND_PID/status" 2>/dev/null; }
if nd_start order --capture --extcap-interface "$IF_A" --fifo "$fifo" && nd_wait_socket order socket; then
	for i in $(seq 1 1500); do # 30 s at most
		[ "$(cat "/proc/$ND_PID/wchan" 2>/dev/null)" = wait_for_partner ] && break
		sleep 0.02
	done
	check_eq "--capture: the capture is open, and the FIFO's open waits for its reader" \
		wait_for_partner "$(cat "/proc/$ND_PID/wchan" 2>/dev/null)" "i=$i"
	prm=$(cap_prm)
	check "--capture: meanwhile capabilities are still permitted (CapPrm $prm): the FIFO is opened before the drop" \
		"$([ -n "$prm" ] && [ "$prm" != 0000000000000000 ]; echo $?)"
	cat "$fifo" >/dev/null &
	nd_track_pid $!
	for i in $(seq 1 1500); do # 30 s at most
		[ "$(cap_prm)" = 0000000000000000 ] && break
		sleep 0.02
	done
	check_eq "--capture: once the FIFO is open, every capability is dropped" \
		0000000000000000 "$(cap_prm)"
	nd_stop TERM 5
	check_eq "--capture (FIFO opened late): exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/order.err")"
fi

# ---- a non-root member of group nsdump, through a file-capability copy -------------------

nd_group_lock
nd_group_setup
user=ndtx$ND_SUF
nd_user_new "$user"
uid=$(id -u "$user")
gid=$(id -g "$user")
ux=$ND_TMP/uxdg
mkdir -p "$ND_TMP/ubin" "$ux/wireshark/extcap" "$ND_TMP/uout"
install -m 0750 -o root -g "$ND_GROUP" "$NSDUMP" "$ND_TMP/ubin/nsdump"
setcap cap_sys_ptrace,cap_sys_admin,cap_net_raw,cap_setpcap+p "$ND_TMP/ubin/nsdump"
ln -s "$ND_TMP/ubin/nsdump" "$ux/wireshark/extcap/nsdump"
chmod 755 "$ND_TMP/ubin" "$ux" "$ux/wireshark" "$ux/wireshark/extcap"
chown "$user" "$ND_TMP/uout" "$ND_TMP/home"
f=$ND_TMP/uout/user.pcapng
# Sanitizer runtimes cannot stop the world for the leak check in a non-dumpable process.
ASAN_OPTIONS=detect_leaks=0 XDG_CONFIG_HOME=$ux HOME=$ND_TMP/home \
	setpriv --reuid="$uid" --regid="$gid" --groups="$ND_GROUP_GID" -- \
	tshark -D >"$ND_TMP/uD.out" 2>"$ND_TMP/uD.err"
check_grep "group member: tshark -D lists the namespace" "$ND_TMP/uD.out" "\\. $IF_A "
ASAN_OPTIONS=detect_leaks=0 XDG_CONFIG_HOME=$ux HOME=$ND_TMP/home \
	setpriv --reuid="$uid" --regid="$gid" --groups="$ND_GROUP_GID" -- \
	tshark -i "$IF_A" -c 4 -w "$f" >"$ND_TMP/user.ts.out" 2>"$ND_TMP/user.ts.err" &
TS_PID=$!
nd_track_pid "$TS_PID"
limit=$(($(nd_now_ms) + ND_WAIT_S * 1000))
NSD_PID=""
while [ -z "$NSD_PID" ] && [ "$(nd_now_ms)" -lt "$limit" ]; do
	NSD_PID=$(pgrep -P "$TS_PID" -f -- "--capture" | head -n 1)
	[ -n "$NSD_PID" ] || sleep 0.05
done
if [ -n "$NSD_PID" ] && ND_PID=$NSD_PID nd_wait_socket user; then
	check_eq "group member: nsdump runs as the user" "$uid" \
		"$(awk '/^Uid:/ { print $3 }' "/proc/$NSD_PID/status")"
	check_eq "group member: no capability left while capturing" 0000000000000000 \
		"$(awk '/^CapPrm:/ { print $2 }' "/proc/$NSD_PID/status")"
	nd_send "$NS_A" 4 -i 20 -p 5001 "$SINK_B"
	ts_done user
	check_count_all "group member: exactly 4 packets" "$f" 4
	check_eq "group member: the file is the user's" "$user" "$(stat -c %U "$f")"
else
	not_ok "group member: tshark started a capturing nsdump" "$(nd_excerpt "$ND_TMP/user.ts.err")"
fi

# ---- a real Docker container ---------------------------------------------------------------

rt_docker_ready
web=$RT_PREFIX-xweb
cli=$RT_PREFIX-xcli
rt_docker_sleepers "$web" "$cli"
web_ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$web")
web_id=$(docker inspect -f '{{.Id}}' "$web")
ts tshark -D >"$ND_TMP/dD.out" 2>"$ND_TMP/dD.err"
check_grep "tshark -D lists the Docker container" "$ND_TMP/dD.out" \
	"^[0-9]+\\. nsdump-docker-$web \\(nsdump: Docker container $web \\(${web_id:0:12}\\)\\)$"

# Veth mode (auto): nsdump's socket is on the host end, in the host's namespace.
f=$ND_TMP/docker.pcapng
if ts_start docker $$ -i "nsdump-docker-$web" -f icmp -c 6 -w "$f"; then
	docker exec "$cli" /bin/busybox ping -c 3 -i 0.1 -W 2 "$web_ip" >"$ND_TMP/ping.out" 2>&1 ||
		not_ok "docker: ping $web_ip" "$(nd_excerpt "$ND_TMP/ping.out")"
	ts_done docker
	check_count_all "docker: exactly 6 ICMP packets (3 requests, 3 replies)" "$f" 6
	check_count "docker: 3 echo requests to the container" "$f" 3 'icmp[icmptype] = icmp-echo' and dst host "$web_ip"
	check_eq "docker: pcapng interface names the container" "$web/eth0" \
		"$(tshark -r "$f" -T fields -e frame.interface_name 2>/dev/null | sort -u)"
fi

# A pod run through Docker (dockershim's labels): one interface for the pod, captured as
# --pod NAME -n NS (its sandbox's network namespace).
pod=pod$ND_SUF
if rt_docker_run "$RT_PREFIX-xpod" --label "io.kubernetes.pod.name=$pod" \
	--label io.kubernetes.pod.namespace=shop --label io.kubernetes.docker.type=podsandbox \
	"$RT_IMAGE" /bin/busybox sleep 300 2>"$ND_TMP/pod.err"; then
	pod_ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$RT_PREFIX-xpod")
	ts tshark -D >"$ND_TMP/pD.out" 2>"$ND_TMP/pD.err"
	check_eq "tshark -D lists the pod once, and not its container by name" "1 0" \
		"$(grep -c "\. nsdump-pod-shop-$pod (nsdump: Kubernetes pod shop/$pod (docker))$" "$ND_TMP/pD.out") $(grep -c "nsdump-docker-$RT_PREFIX-xpod" "$ND_TMP/pD.out")"
	f=$ND_TMP/pod.pcapng
	if ts_start pod $$ -i "nsdump-pod-shop-$pod" -f icmp -c 4 -w "$f"; then
		docker exec "$cli" /bin/busybox ping -c 2 -i 0.1 -W 2 "$pod_ip" >"$ND_TMP/pping.out" 2>&1 ||
			not_ok "pod: ping $pod_ip" "$(nd_excerpt "$ND_TMP/pping.out")"
		ts_done pod
		check_count_all "pod: exactly 4 ICMP packets" "$f" 4
		check_eq "pod: pcapng interface names the pod" "$pod/eth0" \
			"$(tshark -r "$f" -T fields -e frame.interface_name 2>/dev/null | sort -u)"
	fi
else
	not_ok "docker run a pod sandbox" "$(nd_excerpt "$ND_TMP/pod.err")"
fi
nd_finish
