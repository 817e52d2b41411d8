#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and the demo need. Run as root.
#   scripts/deps.sh             install (apt-get update first)
#   scripts/deps.sh --if-needed do nothing when every package is already installed
set -euo pipefail

pkgs=(
	# build
	gcc clang make git pkg-config libc6-dev libpcap-dev libmnl-dev libcap-dev zlib1g-dev libseccomp-dev
	libjson-c-dev
	# fuzzing (make fuzz): clang with libFuzzer
	libclang-rt-dev
	# tests: capture readers, namespaces, users, ttys
	tcpdump tshark wireshark-common iproute2 procps util-linux bsdutils passwd libcap2-bin
	# t_kubectl.sh: the stand-in kubectl reads its recorded pod list with jq
	jq
	# tests against real runtimes (docker.io brings containerd and runc); images are built
	# offline from busybox-static; curl polls the daemons' sockets
	docker.io containerd runc podman uidmap busybox-static curl
	# t_cri.sh: pods through containerd's CRI plugin, with CNI's bridge, host-local and
	# loopback plugins, iptables for the FORWARD rule dockerd's br_netfilter makes necessary,
	# and tests/cri/cri.py, a CRI client on Debian's gRPC for Python (crictl is not packaged)
	containernetworking-plugins iptables python3-grpcio python3-grpc-tools python3-protobuf
	# make static: dpkg-dev (dpkg-deb unpacks libmnl.a, scripts/static-libmnl.sh); the static
	# archives of libpcap (which brings libdbus-1-dev's), libcap, libseccomp, json-c, zlib come
	# with their -dev packages above; file and ldd (libc-bin) check the result
	file libc-bin
	# linters; groff checks the man page (scripts/lint.sh, t_manpage.sh), man-db renders it
	shellcheck cppcheck clang-tidy groff-base man-db
	# make deb and t_deb.sh: package build, lintian, debconf answers, the postinst's group
	# and file capabilities; t_completion.sh drives the completion through bash-completion
	dpkg-dev debhelper fakeroot lintian debconf adduser bash-completion
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ "${1:-}" = "--if-needed" ] && [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]:-(all present, refreshing)}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
