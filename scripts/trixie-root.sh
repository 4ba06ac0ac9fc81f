#!/usr/bin/env bash
# trixie-root.sh: builds (once) and enters a Debian 13 (trixie) root that
# holds libtorch 2.6, for building and testing mfif against libtorch 2.x
# without touching the host system.
#
#   scripts/trixie-root.sh build          create or complete the root (idempotent)
#   scripts/trixie-root.sh run CMD...     run CMD in the root, repository at /src
#
# The root lives in $MFIF_TRIXIE_ROOT (default: $MFIF_CACHE/trixie-root,
# MFIF_CACHE defaulting to ~/.cache/mfif). Each step leaves a marker file,
# so a rerun only does what is missing: the first build downloads about
# 1 GB of packages; later runs start in seconds.
#
# Inside the root:
#   - main: libtorch-dev 2.6 (CPU), a C/C++ toolchain, libjpeg headers;
#   - contrib: libtorch-cuda-dev 2.6 and the CUDA 12 development packages it
#     needs, unpacked (dpkg -x) into /opt/torch-cuda, never configured:
#     their dependency nvidia-cudnn is an installer that downloads from
#     NVIDIA, which cannot work without a network to NVIDIA, and a GPU is
#     not needed to link (see docs/cuda.md).
# The repository is bind-mounted at /src, the host's Go toolchain at
# /usr/local/go (read-only), the host's Go module cache at /gomodcache
# (read-only: every module must already be there, which `make build` on the
# host ensures) and, when it exists, the material beside the repository
# (../shared) at /shared, so the parity tests find it as they do on the host;
# all inside a private mount namespace that ends with the command. The root
# keeps its own Go build cache (/root/.cache/go-build).
#
# Needs root (debootstrap, chroot, mounts) and the Debian package mirror.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cache="${MFIF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mfif}"
root="${MFIF_TRIXIE_ROOT:-$cache/trixie-root}"
mirror="${MFIF_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

log() { printf 'trixie-root: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and bind mounts)"

# Packages configured normally inside the root (trixie main).
# python3-torch (PyTorch 2.6 on the same libtorch) lets scripts/gpu-check.sh
# --cpu-only build against a PyTorch package folder and time PyTorch.
cpu_pkgs=(libtorch-dev build-essential pkg-config ca-certificates git libjpeg62-turbo-dev
	python3-torch python3-yaml python3-numpy)

# in_root CMD...: runs CMD in the root with /proc, /dev and /sys mounted
# in a private mount namespace (nothing stays mounted afterwards).
in_root() {
	local gomod
	gomod="$(command -v go >/dev/null && go env GOMODCACHE 2>/dev/null || true)"
	[ -n "$gomod" ] || gomod="$HOME/go/pkg/mod"
	mkdir -p "$root/src" "$root/usr/local/go" "$root/gomodcache" "$gomod"
	unshare --mount --propagation private -- /bin/bash -euo pipefail -c '
		root="$1" repo="$2" gomod="$3"; shift 3
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount --rbind /sys "$root/sys"
		mount --bind "$repo" "$root/src"
		mount --bind /usr/local/go "$root/usr/local/go"
		mount -o remount,bind,ro "$root/usr/local/go"
		mount --bind "$gomod" "$root/gomodcache"
		mount -o remount,bind,ro "$root/gomodcache"
		if [ -d "$repo/../shared" ]; then
			mkdir -p "$root/shared"
			mount --bind "$repo/../shared" "$root/shared"
			mount -o remount,bind,ro "$root/shared"
		fi
		cp -L /etc/resolv.conf "$root/etc/resolv.conf"
		exec chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
			PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			GOMODCACHE=/gomodcache GOTOOLCHAIN=local GOPROXY=off \
			MFIF_CACHE=/root/.cache/mfif DEBIAN_FRONTEND=noninteractive \
			/bin/bash -euo pipefail -c "cd /src && $*"
	' in_root "$root" "$repo" "$gomod" "$*"
}

build_root() {
	command -v debootstrap >/dev/null || {
		log "installing debootstrap on the host"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap </dev/null
	}
	if [ ! -f "$root/.mfif-debootstrap" ]; then
		log "debootstrap trixie into $root (minbase, main+contrib)"
		rm -rf "$root"
		mkdir -p "$(dirname "$root")"
		debootstrap --variant=minbase --components=main,contrib trixie "$root" "$mirror"
		touch "$root/.mfif-debootstrap"
	fi
	if [ ! -f "$root/.mfif-cpu-2" ]; then
		log "installing ${cpu_pkgs[*]} in the root"
		in_root "apt-get update -q && apt-get install -y -q --no-install-recommends ${cpu_pkgs[*]} </dev/null && apt-get clean"
		touch "$root/.mfif-cpu-2"
	fi
	if [ ! -f "$root/.mfif-cuda-2" ]; then
		log "unpacking libtorch-cuda-dev 2.6 and its CUDA 12 libraries into /opt/torch-cuda (no install, no cuDNN download)"
		in_root "bash /src/scripts/trixie-cuda-unpack.sh /opt/torch-cuda"
		touch "$root/.mfif-cuda-2"
	fi
}

case "${1:-}" in
build)
	build_root
	log "ready: $root ($(du -sh "$root" 2>/dev/null | cut -f1))"
	;;
run)
	shift
	[ -f "$root/.mfif-cuda-2" ] || build_root
	in_root "$@"
	;;
*)
	echo "usage: $0 build | run CMD..." >&2
	exit 2
	;;
esac
