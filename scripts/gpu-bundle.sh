#!/usr/bin/env bash
# gpu-bundle.sh [OUT]: writes OUT (default build/mfif-gpu-bundle.tar.gz), a
# tarball that builds and checks mfif on a machine without network access
# (scripts/gpu-check.sh --bundle OUT). It holds:
#   src/     the repository's files (tracked and untracked-not-ignored, as
#            they are in the working tree) and src/vendor/ (go mod vendor);
#   go/      this machine's Go toolchain, pruned to what `go build` needs:
#            bin/go, the compile/link/asm/cgo/vet tools, pkg/include and
#            the standard library's sources without tests or testdata;
#   jpeg/    libjpeg-turbo's headers and static library from this machine
#            (Debian's libjpeg62-turbo-dev), used when the target machine
#            has no jpeglib.h, so JPEG decoding stays exact there too.
# Fails when the result is larger than MFIF_BUNDLE_MAX_MB (default 60).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/build/mfif-gpu-bundle.tar.gz}"
max_mb="${MFIF_BUNDLE_MAX_MB:-60}"
export PATH="/usr/local/go/bin:$PATH"
goroot="$(go env GOROOT)"
goos="$(go env GOOS)" goarch="$(go env GOARCH)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
stage="$tmp/mfif-gpu"
mkdir -p "$stage/src" "$stage/go/bin" "$stage/go/pkg/tool/${goos}_$goarch" "$stage/jpeg/include" "$stage/jpeg/lib"

# Sources as they are in the working tree.
(cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c '[ -f "{}" ] && printf "%s\0" "{}"' _ |
	tar --null -T - -cf -) | tar -C "$stage/src" -xf -
(cd "$repo" && GOFLAGS=-mod=mod go mod vendor -o "$stage/src/vendor")
git -C "$repo" describe --always --dirty >"$stage/src/.mfif-source" 2>/dev/null || echo unknown >"$stage/src/.mfif-source"

# The Go toolchain, pruned.
cp "$goroot/bin/go" "$stage/go/bin/"
for t in compile link asm cgo vet buildid pack; do
	[ -f "$goroot/pkg/tool/${goos}_$goarch/$t" ] && cp "$goroot/pkg/tool/${goos}_$goarch/$t" "$stage/go/pkg/tool/${goos}_$goarch/"
done
cp -r "$goroot/pkg/include" "$stage/go/pkg/"
for f in VERSION go.env; do
	[ -f "$goroot/$f" ] && cp "$goroot/$f" "$stage/go/"
done
(cd "$goroot" && find src -path src/cmd -prune -o -type d -name testdata -prune -o -type f ! -name '*_test.go' -print0 |
	tar --null -T - -cf -) | tar -C "$stage/go" -xf -
# go/build needs the list of standard commands' import paths only for
# cmd/... packages, which a user build never compiles; keep cmd's go.mod so
# `go list std` and `go vet` work.
mkdir -p "$stage/go/src/cmd"
cp "$goroot/src/cmd/go.mod" "$stage/go/src/cmd/"
[ -f "$goroot/src/cmd/go.sum" ] && cp "$goroot/src/cmd/go.sum" "$stage/go/src/cmd/"

# libjpeg-turbo (headers and the static library).
inc=/usr/include
lib="/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
for h in jpeglib.h jerror.h jmorecfg.h; do cp "$inc/$h" "$stage/jpeg/include/"; done
if [ -f "$inc/$(gcc -print-multiarch 2>/dev/null)/jconfig.h" ]; then
	cp "$inc/$(gcc -print-multiarch)/jconfig.h" "$stage/jpeg/include/"
else
	cp "$inc/jconfig.h" "$stage/jpeg/include/"
fi
cp "$lib/libjpeg.a" "$stage/jpeg/lib/"

mkdir -p "$(dirname "$out")"
tar -C "$tmp" -czf "$out.tmp" mfif-gpu
mv -f "$out.tmp" "$out"
size=$(stat -c %s "$out")
mb=$(((size + 1048575) / 1048576))
echo "gpu-bundle: $out: $mb MB (src $(du -sh "$stage/src" | cut -f1), vendor $(du -sh "$stage/src/vendor" | cut -f1), go $(du -sh "$stage/go" | cut -f1) unpacked)"
if [ "$mb" -gt "$max_mb" ]; then
	echo "gpu-bundle: larger than $max_mb MB" >&2
	exit 1
fi
