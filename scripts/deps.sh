#!/usr/bin/env bash
# Install the Debian packages xdpgame needs to build, test and benchmark,
# and only those that are missing. Idempotent: a second run installs nothing.
set -euo pipefail

pkgs=(
	make gcc clang llvm pkg-config
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev libjson-c-dev libmicrohttpd-dev
	bpftool linux-libc-dev
	libcriterion-dev
	iproute2 ethtool iputils-ping netcat-openbsd procps util-linux
	valgrind gnuplot-nox python3 nftables
	# tests of the service side: scraping /metrics, `promtool check
	# metrics` (Debian ships promtool only in prometheus, ~100 MB; its
	# own prometheus.service gets enabled on a systemd host: disable it if
	# unwanted), the installed unit and man page
	curl prometheus systemd man-db
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
