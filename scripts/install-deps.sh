#!/usr/bin/env bash
# install-deps.sh [--test]: installs the Debian 12 packages mfif needs to
# build (libtorch 1.13 CPU from Debian, a C/C++ toolchain for cgo,
# libjpeg-turbo headers). --test adds what only the tests use: Debian's
# chromium, which drives the HTML report in a headless browser (about 45 s
# to install; the browser tests skip without it). Idempotent and
# non-interactive; run as root (CI) or via sudo.
set -euo pipefail

pkgs=(
	build-essential
	pkg-config
	ca-certificates
	git
	libtorch-dev
	libjpeg62-turbo-dev
)
if [ "${1:-}" = --test ]; then
	pkgs+=(chromium)
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all packages present (${pkgs[*]})"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
