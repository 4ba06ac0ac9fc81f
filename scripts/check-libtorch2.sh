#!/usr/bin/env bash
# check-libtorch2.sh (make check-libtorch2): builds and tests mfif against
# libtorch 2.x inside a Debian 13 root (scripts/trixie-root.sh), without
# touching the host system:
#   1. the root: debootstrap trixie, libtorch-dev 2.6 (CPU) and python3-torch
#      installed, libtorch-cuda-dev 2.6 unpacked (first run only);
#   2. CPU libtorch 2.6: go vet, the whole test suite, the portable-kernel
#      tests, `mfif demo`;
#   3. the PyTorch package folder: mfif built with MFIF_LIBTORCH set to
#      python3-torch's folder (the way a PyTorch install is used);
#   4. CUDA libtorch 2.6: mfif links against libtorch_cuda without cuDNN or
#      a driver; run here (no GPU) with a stand-in cuDNN, --device auto says
#      there is no CUDA device and uses the CPU, --device cuda is an error.
# Logs go to build/check-libtorch2/ (one file per step); the last lines of
# the output summarise every step with its time. Repeatable: a rerun reuses
# the root and the root's Go build cache (set MFIF_FRESH=1 to rerun every
# test instead of taking cached results).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
logs="$repo/build/check-libtorch2"
mkdir -p "$logs"
count=""
[ -n "${MFIF_FRESH:-}" ] && count="-count=1"
summary=()
failed=0

# step NAME CMD: runs CMD in the root, logs to $logs/NAME.log, records time.
step() {
	local name="$1" t0 rc
	shift
	t0=$(date +%s)
	echo "== $name" >&2
	set +e
	"$repo/scripts/trixie-root.sh" run "$@" >"$logs/$name.log" 2>&1
	rc=$?
	set -e
	local dt=$(($(date +%s) - t0))
	if [ $rc -eq 0 ]; then
		summary+=("ok    $name ($((dt / 60)) min $((dt % 60)) s)")
	else
		summary+=("FAIL  $name ($((dt / 60)) min $((dt % 60)) s, exit $rc; see $logs/$name.log)")
		failed=1
		tail -n 30 "$logs/$name.log" >&2
	fi
	return 0
}

t_all=$(date +%s)
t0=$(date +%s)
"$repo/scripts/trixie-root.sh" build 2>&1 | tee "$logs/root.log" | grep -E '^trixie-root:' >&2
dt=$(($(date +%s) - t0))
summary+=("ok    root ($((dt / 60)) min $((dt % 60)) s)")

out=/root/check-libtorch2
step build-cpu "mkdir -p $out && . scripts/torchenv && echo \"\$MFIF_TORCH_FLAVOR\" && go build -o $out/mfif ./cmd/mfif && $out/mfif --version"
step vet "go version && . scripts/torchenv && go vet ./..."
step test ". scripts/torchenv && go test -p 2 -timeout 40m $count ./... && GOEXPERIMENT=nosimd go test -p 2 $count ./metrics ./data"
step demo "cd $out && rm -rf mfif-demo && $out/mfif demo && head -n 12 mfif-demo/report/table.md"
step pytorch-folder "export MFIF_LIBTORCH=\$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))') && echo \"MFIF_LIBTORCH=\$MFIF_LIBTORCH\" && . scripts/torchenv && echo \"\$MFIF_TORCH_FLAVOR\" && go build -o $out/mfif-pytorch ./cmd/mfif && $out/mfif-pytorch --device cpu bench --size 64 --min-time 1ms --methods average --metrics Q_G"
# The CUDA build: link, then run without a GPU. Without the stand-in cuDNN
# the binary must not start (cuDNN is needed at run time); with it, auto
# falls back to the CPU and cuda is refused.
step build-cuda "export MFIF_LIBTORCH=/opt/torch-cuda && . scripts/torchenv && echo \"\$MFIF_TORCH_FLAVOR\" && go build -o $out/mfif-cuda ./cmd/mfif && ldd $out/mfif-cuda | grep -E 'torch_cuda|c10_cuda|cudnn'"
step cuda-no-gpu "set +e
	out=\$($out/mfif-cuda --version 2>&1); rc=\$?
	echo \"without cuDNN: exit \$rc: \$out\"
	[ \$rc -ne 0 ] && echo \"\$out\" | grep -q libcudnn || { echo 'want a start-up failure naming libcudnn'; exit 1; }
	export LD_LIBRARY_PATH=/opt/torch-cuda/runtime-stubs
	out=\$($out/mfif-cuda --device auto bench --size 64 --min-time 1ms --methods average --metrics Q_G 2>&1); rc=\$?
	echo \"--device auto: exit \$rc:\"; echo \"\$out\"
	[ \$rc -eq 0 ] && echo \"\$out\" | grep -q 'no usable CUDA device' && echo \"\$out\" | grep -q 'device cpu' || { echo 'want auto to fall back to the CPU, saying so'; exit 1; }
	out=\$($out/mfif-cuda --device cuda bench --size 64 --min-time 1ms --methods average --metrics Q_G 2>&1); rc=\$?
	echo \"--device cuda: exit \$rc: \$out\"
	[ \$rc -ne 0 ] && echo \"\$out\" | grep -q 'no usable CUDA device' || { echo 'want --device cuda to be a clear error'; exit 1; }"

dt=$(($(date +%s) - t_all))
echo
echo "check-libtorch2 summary (logs in $logs):"
printf '  %s\n' "${summary[@]}"
echo "  total $((dt / 60)) min $((dt % 60)) s"
exit $failed
