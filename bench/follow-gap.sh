#!/usr/bin/env bash
# When a runtime's network comes up, when nsdump --follow has its capture open, and when the
# first packet reaches a pipe's reader, all against the container's first instruction; and
# whether its first packets are all captured.  For docs/runtimes.md ("Following starts"):
#   bench/follow-gap.sh docker|podman|containerd [ROUNDS]
# Docker and Podman: a network of the script's own (--internal), a peer container, and a
# stopped container that prints the wall clock (busybox adjtimex) and pings the peer 5
# times.  containerd (ctr): the container joins a network namespace the script made, with a
# veth pair to a peer namespace (the network is up long before the container).  Everything
# made is removed on exit.  Needs root, the runtime running, build/nsdump and
# build/bench/latency; takes the runtime lock of the tests.
set -u
RT=${1:?usage: follow-gap.sh docker|podman|containerd [ROUNDS]}
ROUNDS=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NSDUMP=${NSDUMP:-$ROOT/build/nsdump}
LAT=$ROOT/build/bench/latency
T=$(mktemp -d /tmp/nsdump-gap.XXXXXX)
P=ndg$$
SUB=198.18.$(($$ % 200 + 20))
PEER=$SUB.2
IMG=$P-img
exec {LOCK}>>"${ND_RT_LOCK:-/tmp/nsdump-runtimes.lock}"
flock -w 600 "$LOCK" || { echo "follow-gap: the runtime lock stayed taken" >&2; exit 1; }

case $RT in
docker) CLI=(docker) ;;
podman) CLI=(podman) ;;
containerd) CLI=(ctr -n "$P") ;;
*) echo "follow-gap: unknown runtime $RT" >&2; exit 2 ;;
esac

cleanup() {
	case $RT in
	docker | podman)
		"${CLI[@]}" rm -f "$P-peer" "$P-tgt" >/dev/null 2>&1
		"${CLI[@]}" network rm "$P-net" >/dev/null 2>&1
		"${CLI[@]}" rmi "$IMG" >/dev/null 2>&1 ;;
	containerd)
		ctr -n "$P" task kill -s KILL "$P-tgt" >/dev/null 2>&1
		ctr -n "$P" task rm -f "$P-tgt" >/dev/null 2>&1
		ctr -n "$P" container rm "$P-tgt" >/dev/null 2>&1
		ctr -n "$P" image rm "docker.io/library/$IMG:latest" >/dev/null 2>&1
		# The snapshot and the content go in the background: try again.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			ctr namespace rm "$P" >/dev/null 2>&1 && break
			sleep 0.5
		done
		ip netns del "$P-a" 2>/dev/null
		ip netns del "$P-b" 2>/dev/null ;;
	esac
	for d in "$CTRD" "$DOCKERD"; do
		[ -n "$d" ] || continue
		kill "$d" 2>/dev/null
		wait "$d" 2>/dev/null
	done
	if [ -n "$DOCKERD" ]; then ip link del docker0 2>/dev/null; fi
	sysctl -qw "net.ipv4.ip_forward=$FWD"
	rm -rf "$T" "$T.containerd.log" "$T.dockerd.log"
}
CTRD="" DOCKERD="" FWD=$(sysctl -n net.ipv4.ip_forward)
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$RT" = docker ] && ! docker version >/dev/null 2>&1; then
	dockerd >"$T.dockerd.log" 2>&1 &
	DOCKERD=$!
	for _ in $(seq 1 100); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
fi
if [ "$RT" = containerd ] && ! ctr version >/dev/null 2>&1; then
	containerd >"$T.containerd.log" 2>&1 &
	CTRD=$!
	for _ in $(seq 1 50); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
fi


r=$T/root
mkdir -p "$r/bin" && cp /bin/busybox "$r/bin/" && tar -C "$r" -cf "$T/root.tar" . || exit 1
CMD="/bin/busybox adjtimex; /bin/busybox ping -c 5 -i 0.2 -W 1 $PEER"
case $RT in
docker | podman)
	"${CLI[@]}" import -c 'CMD ["/bin/busybox", "sh"]' "$T/root.tar" "$IMG" >/dev/null || exit 1
	"${CLI[@]}" network create --internal --subnet "$SUB.0/24" "$P-net" >/dev/null || exit 1
	"${CLI[@]}" run -d --pull=never --network "$P-net" --ip "$PEER" --name "$P-peer" "$IMG" \
		/bin/busybox sleep 100000 >/dev/null || exit 1
	"${CLI[@]}" create --pull=never --cap-add NET_RAW --network "$P-net" --name "$P-tgt" "$IMG" \
		/bin/busybox sh -c "$CMD" >/dev/null || exit 1 ;;
containerd)
	ip netns add "$P-a" && ip netns add "$P-b" &&
		ip link add "$P-va" netns "$P-a" type veth peer name "$P-vb" netns "$P-b" &&
		ip -n "$P-a" link set "$P-va" name eth0 && ip -n "$P-a" addr add "$SUB.1/24" dev eth0 &&
		ip -n "$P-b" addr add "$PEER/24" dev "$P-vb" &&
		ip -n "$P-a" link set eth0 up && ip -n "$P-b" link set "$P-vb" up &&
		ip -n "$P-a" link set lo up || exit 1
	# ctr images import wants an OCI/docker archive: one layer, made by hand.
	mkdir -p "$T/oci/blobs/sha256" && cp "$T/root.tar" "$T/layer.tar" &&
	python3 - "$T" "$IMG" <<'PY' || exit 1
import hashlib, json, os, sys, tarfile
t, img = sys.argv[1], sys.argv[2]
def blob(data):
    h = hashlib.sha256(data).hexdigest()
    open(f"{t}/oci/blobs/sha256/{h}", "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}
layer = open(f"{t}/layer.tar", "rb").read()
l = blob(layer)
cfg = blob(json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/busybox", "sh"]},
                       "rootfs": {"type": "layers", "diff_ids": [l["digest"]]}}).encode())
man = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
                       "layers": [dict(l, mediaType="application/vnd.oci.image.layer.v1.tar")]}).encode())
json.dump({"schemaVersion": 2, "manifests": [dict(man, mediaType="application/vnd.oci.image.manifest.v1+json",
          annotations={"org.opencontainers.image.ref.name": "latest", "io.containerd.image.name": f"docker.io/library/{img}:latest"})]},
          open(f"{t}/oci/index.json", "w"))
open(f"{t}/oci/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
with tarfile.open(f"{t}/img.tar", "w") as tf:
    tf.add(f"{t}/oci", arcname=".")
PY
	ctr -n "$P" images import --no-unpack=false "$T/img.tar" >/dev/null 2>&1 ||
		ctr -n "$P" images import "$T/img.tar" >/dev/null || exit 1 ;;
esac

ms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == "-") { print "NA"; exit }
	split(a, A, "."); split(b, B, "."); printf "%.1f", ((B[1] - A[1]) + (("0." B[2]) - ("0." A[2]))) * 1000 }'; }

echo "# $RT: ms after the container's first instruction (negative: before it)"
echo "# round  network-up  capture-open  first-at-reader  requests-captured"
for i in $(seq 1 "$ROUNDS"); do
	mkfifo "$T/f$i"
	"$LAT" -o "$T/lat$i" <"$T/f$i" &
	rp=$!
	"$NSDUMP" -v --runtime "$RT" --container "$P-tgt" --follow -w - 'icmp or arp' 2>"$T/err$i" </dev/null |
		tee "$T/cap$i.pcapng" >"$T/f$i" &
	for _ in $(seq 1 100); do grep -q 'waiting for it to start' "$T/err$i" && break; sleep 0.05; done
	ip -ts -o monitor link >"$T/mon$i" 2>/dev/null &
	mp=$!
	sleep 0.2
	case $RT in
	docker | podman)
		"${CLI[@]}" start "$P-tgt" >/dev/null && "${CLI[@]}" wait "$P-tgt" >/dev/null
		exec_t=$("${CLI[@]}" logs "$P-tgt" 2>/dev/null | awk '/time.tv_sec:/ { s = $2 } /time.tv_usec:/ { u = $2 }
			END { if (s != "") printf "%d.%06d\n", s, u }') ;;
	containerd)
		ctr -n "$P" run --rm --with-ns "network:/run/netns/$P-a" "docker.io/library/$IMG:latest" \
			"$P-tgt" /bin/busybox sh -c "$CMD" >"$T/out$i" 2>&1
		exec_t=$(awk '/time.tv_sec:/ { s = $2 } /time.tv_usec:/ { u = $2 }
			END { if (s != "") printf "%d.%06d\n", s, u }' "$T/out$i") ;;
	esac
	sleep 0.3
	pkill -INT -f -- "--container $P-tgt --follow"
	kill "$mp" 2>/dev/null
	wait "$rp"
	up=$(awk '/veth/ && /state UP/ { gsub(/[][]/, "", $1); print $1; exit }' "$T/mon$i")
	[ -n "$up" ] && up=$(date -d "$up" +%s.%N)
	open=$(sed -n 's/.* captured from \([0-9.]*\),.*/\1/p' "$T/err$i" | tail -n1)
	arr=$(sed -n 's/.*first_arrival=\([0-9.]*\).*/\1/p' "$T/lat$i")
	printf '%s\t%s\t%s\t%s\t%s\n' "$i" "$( [ -n "$up" ] && ms "$exec_t" "$up" || echo "before")" \
		"$(ms "$exec_t" "$open")" "$(ms "$exec_t" "$arr")" \
		"$(tshark -r "$T/cap$i.pcapng" -Y 'icmp.type == 8' 2>/dev/null | wc -l)/5"
	[ -n "$open" ] || sed 's/^/#   /' "$T/err$i" | head -n 5
done
