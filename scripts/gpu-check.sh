#!/usr/bin/env bash
# gpu-check.sh: mfif's GPU acceptance run, one script, no network needed.
#
#   scripts/gpu-check.sh [--bundle FILE] [--work DIR] [--report FILE] [--cpu-only]
#
# For a machine with an NVIDIA GPU, a PyTorch install (python3 -c 'import
# torch' works) and a C++ compiler. It builds mfif against that PyTorch's own
# libtorch (MFIF_LIBTORCH = the torch package folder; set MFIF_LIBTORCH to
# use another libtorch), then checks:
#   a. CUDA is seen: --device cuda resolves to cuda:0;
#   b. siamese-demo trains 200 steps on CUDA and on the CPU from the same seed
#      (CUDA with --deterministic: no TF32, deterministic cuDNN). The two
#      start alike and then drift apart as rounding differences grow (two
#      CPU runs with 1 and 2 threads: 1e-6 at step 3, 3e-4 at step 10, 4% at
#      step 30), so the check is: step 1 within 1e-4 relative (the same
#      weights, data and forward pass), steps 1-10 within 1e-2, the mean loss
#      of steps 101-200 within 15% (the two CPU runs: 0.4%), and both below
#      20% of the first step's loss;
#   c. FusionDiff (fusiondiff-cpu) and the DDFM prior (ddfm-prior-cpu) train
#      two epochs on CUDA, and each model fuses the test pairs once (one
#      sampler call per pair);
#   d. Go and PyTorch time the same networks on the same GPU, alternating
#      over two rounds, each case in its own process: FusionDiff NoisePred
#      (paper config) forward at 256 and 520 and its AdamW step (batch 4,
#      256), the paper Siamese step (batch 8, 256), and more (train/netbench,
#      docs/pytorch/bench_nets.py);
#   e. the device memory each case leaves in use (context, cached blocks and
#      live tensors, as cudaMemGetInfo counts it; for PyTorch also its
#      allocator's peak).
# and writes one Markdown report (--report, default WORK/gpu-check-report.md).
# Exit status 0 when every check passed.
#
# --bundle FILE  unpack a `make gpu-bundle` tarball into WORK and use its Go
#                toolchain, vendored modules and sources (offline); without
#                it the repository holding this script is built with the Go
#                on PATH (or /usr/local/go).
# --cpu-only     for a machine without a GPU: the same steps with the CPU in
#                place of CUDA (b compares a multi-threaded with a
#                one-thread CPU run; a checks that --device auto falls back
#                to the CPU and --device cuda is refused; d uses 64x64
#                inputs), so the script itself is tested. Without PyTorch it
#                builds against the system libtorch and skips PyTorch's
#                timings.
set -uo pipefail

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
cpu_only=0 bundle="" work="" report=""
while [ $# -gt 0 ]; do
	case "$1" in
	--cpu-only) cpu_only=1 ;;
	--bundle) bundle="${2:?--bundle FILE}"; shift ;;
	--work) work="${2:?--work DIR}"; shift ;;
	--report) report="${2:?--report FILE}"; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

t_start=$(date +%s)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${work:-$(mktemp -d /tmp/mfif-gpu-check.XXXXXX)}"
mkdir -p "$work" || exit 2
work="$(cd "$work" && pwd)"
report="${report:-$work/gpu-check-report.md}"
py="${MFIF_PYTHON:-python3}"
checks=() fails=0

log() { printf 'gpu-check [%4ds] %s\n' $(($(date +%s) - t_start)) "$*" >&2; }
die() { log "FATAL: $*"; exit 2; }
# record NAME OK|FAIL DETAIL
record() {
	checks+=("| $1 | $2 | $3 |")
	[ "$2" = ok ] || fails=$((fails + 1))
	log "$1: $2 ($3)"
}
# run NAME CMD...: runs CMD with its output in WORK/logs/NAME.log.
run() {
	local name="$1"
	shift
	mkdir -p "$work/logs"
	"$@" >"$work/logs/$name.log" 2>&1
}

# ---- sources and toolchain ----
src_rev=""
if [ -n "$bundle" ]; then
	[ -f "$bundle" ] || die "--bundle $bundle: no such file"
	log "unpacking $bundle"
	tar -C "$work" -xzf "$bundle" || die "cannot unpack $bundle"
	src="$work/mfif-gpu/src"
	export GOROOT="$work/mfif-gpu/go" PATH="$work/mfif-gpu/go/bin:$PATH"
	export GOFLAGS="-mod=vendor" GOPROXY=off GOTOOLCHAIN=local GOCACHE="$work/gocache"
	jpeg="$work/mfif-gpu/jpeg"
	src_rev="$(cat "$src/.mfif-source" 2>/dev/null)"
else
	src="$(cd "$here/.." && pwd)"
	case ":$PATH:" in *:/usr/local/go/bin:*) ;; *) export PATH="/usr/local/go/bin:$PATH" ;; esac
	jpeg=""
	src_rev="$(git -C "$src" describe --always --dirty 2>/dev/null)"
fi
command -v go >/dev/null || die "no Go toolchain (use --bundle, or put go on PATH)"
command -v g++ >/dev/null || die "no g++: the cgo build needs a C++17 compiler"
cd "$src" || die "cannot enter $src"

# ---- PyTorch ----
torch_dir="$("$py" -c 'import torch, os; print(os.path.dirname(torch.__file__))' 2>/dev/null)"
torch_ver="" torch_cuda="" gpu_name=""
if [ -n "$torch_dir" ]; then
	torch_ver="$("$py" -c 'import torch; print(torch.__version__)')"
	torch_cuda="$("$py" -c 'import torch; print(torch.version.cuda, torch.cuda.is_available())')"
	[ $cpu_only = 1 ] || gpu_name="$("$py" -c 'import torch; print(torch.cuda.get_device_name(0))' 2>/dev/null)"
	[ -n "${MFIF_LIBTORCH:-}" ] || export MFIF_LIBTORCH="$torch_dir"
	"$py" -c 'import yaml' 2>/dev/null || torch_dir="" # bench_nets.py needs PyYAML
elif [ $cpu_only = 0 ]; then
	die "no PyTorch: '$py -c \"import torch\"' fails (set MFIF_PYTHON, or MFIF_LIBTORCH with --cpu-only)"
fi
driver="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)"

# ---- build ----
log "building mfif (MFIF_LIBTORCH=${MFIF_LIBTORCH:-system})"
. scripts/torchenv || die "scripts/torchenv failed"
tags=""
if ! echo '#include <jpeglib.h>' | gcc -E -x c - >/dev/null 2>&1; then
	if [ -n "$jpeg" ]; then
		export CGO_CFLAGS="${CGO_CFLAGS:-} -I$jpeg/include" CGO_LDFLAGS="$CGO_LDFLAGS -L$jpeg/lib"
	else
		tags="-tags=purego" # Go's JPEG decoder (a few levels off libjpeg; no JPEG is read here)
	fi
fi
t0=$(date +%s)
run build go build $tags -o "$work/mfif" ./cmd/mfif || die "build failed: $(tail -n 20 "$work/logs/build.log")"
build_s=$(($(date +%s) - t0))
mfif="$work/mfif"
log "built in ${build_s}s: $("$mfif" --version)"
t_checks=$(date +%s)

dev=cuda
[ $cpu_only = 1 ] && dev=cpu

# ---- a. CUDA seen ----
probe() { "$mfif" --device "$1" bench --size 64 --min-time 1ms --methods average --metrics Q_G; }
if [ $cpu_only = 0 ]; then
	if run a-cuda probe cuda && grep -q 'device cuda:0' "$work/logs/a-cuda.log"; then
		record "a. CUDA seen" ok "--device cuda resolves to cuda:0; ${gpu_name:-GPU name unknown}"
	else
		record "a. CUDA seen" FAIL "$(tail -n 3 "$work/logs/a-cuda.log" | tr '\n' ' ')"
	fi
else
	run a-auto probe auto
	auto_rc=$?
	run a-cuda probe cuda
	cuda_rc=$?
	if [ $auto_rc = 0 ] && grep -q 'device cpu' "$work/logs/a-auto.log" && grep -q 'no usable CUDA device' "$work/logs/a-auto.log" &&
		[ $cuda_rc != 0 ] && grep -q 'no usable CUDA device' "$work/logs/a-cuda.log"; then
		record "a. no GPU: auto falls back, cuda refused" ok "$(grep -o 'device auto:.*' "$work/logs/a-auto.log" | head -n 1)"
	else
		record "a. no GPU: auto falls back, cuda refused" FAIL "auto exit $auto_rc, cuda exit $cuda_rc (logs/a-auto.log, logs/a-cuda.log)"
	fi
fi

# ---- b. siamese-demo 200 steps, device against CPU ----
siam() { # siam OUT GLOBALFLAGS...
	local out="$1"
	shift
	"$mfif" "$@" train siamese-demo --out "$out" --force --set data.samples=445 --set train.epochs=4 \
		--set train.log_every=1 --set train.max_minutes=0 --set train.patience=0
}
if [ $cpu_only = 0 ]; then
	run b-cuda siam "$work/siam-cuda" --device cuda --deterministic && run b-cpu siam "$work/siam-cpu" --device cpu
else
	run b-cuda siam "$work/siam-cuda" --device cpu && run b-cpu siam "$work/siam-cpu" --device cpu --threads 1
fi
if [ $? = 0 ]; then
	cmp_out="$("$py" - "$work/siam-cuda/scalars.csv" "$work/siam-cpu/scalars.csv" <<'PY'
import csv, sys
def losses(p):
    with open(p) as f:
        return [float(r["loss"]) for r in csv.DictReader(f)]
a, b = losses(sys.argv[1]), losses(sys.argv[2])
if min(len(a), len(b)) < 200:
    print(f"FAIL only {len(a)} and {len(b)} steps logged"); sys.exit()
a, b = a[:200], b[:200]
rel = [abs(x - y) / abs(y) for x, y in zip(a, b)]
first, early = rel[0], max(rel[:10])
ma, mb = sum(a[100:]) / 100, sum(b[100:]) / 100
late = abs(ma - mb) / abs(mb)
learned = max(ma, mb) < 0.2 * min(a[0], b[0])
ok = first <= 1e-4 and early <= 1e-2 and late <= 0.15 and learned
print(("ok" if ok else "FAIL") + f" step 1 rel diff {first:.1e} (<= 1e-4), steps 1-10 max {early:.1e} (<= 1e-2); "
      f"mean of steps 101-200 {ma:.4f} vs {mb:.4f}, rel diff {late:.1e} (<= 0.15); loss {a[0]:.4f} -> {ma:.4f} "
      f"({'below' if learned else 'NOT below'} 20% of the start)")
PY
)"
	record "b. siamese-demo 200 steps, $([ $cpu_only = 0 ] && echo 'CUDA vs CPU' || echo 'CPU 0 vs 1 thread')" "${cmp_out%% *}" "${cmp_out#* }"
else
	record "b. siamese-demo 200 steps" FAIL "training failed (logs/b-cuda.log, logs/b-cpu.log)"
fi

# ---- c. FusionDiff and DDFM prior: training steps and a sampler call ----
count_png() { find "$1" -name '*.png' 2>/dev/null | wc -l; }
if run c-synth "$mfif" synth scenes --n 6 --size 64 --seed 3 --out "$work/scenes"; then
	if run c-fd-train "$mfif" --device "$dev" train fusiondiff-cpu --out "$work/fd" --force --set data.dir="$work/scenes" \
		--set data.size=64 --set data.pairs=4 --set data.val=2 --set train.epochs=2 --set train.batch_size=2 --set train.max_minutes=0 &&
		run c-fd-fuse "$mfif" --device "$dev" fuse --method fusiondiff --model "$work/fd/best.ckpt" --pairs "$work/scenes" --out "$work/fd-out" &&
		[ "$(count_png "$work/fd-out")" -ge 6 ]; then
		record "c. FusionDiff train + sample on $dev" ok "2 epochs, $(count_png "$work/fd-out") fused images"
	else
		record "c. FusionDiff train + sample on $dev" FAIL "see logs/c-fd-*.log"
	fi
	if run c-prior-train "$mfif" --device "$dev" train ddfm-prior-cpu --out "$work/prior" --force --set data.dir="$work/scenes/full_clear" \
		--set train.epochs=2 --set train.batch_size=4 --set train.max_minutes=0 &&
		run c-ddfm-fuse "$mfif" --device "$dev" fuse --method ddfm --opt prior="$work/prior/best.ckpt" --opt steps=5 --pairs "$work/scenes" --out "$work/ddfm-out" &&
		[ "$(count_png "$work/ddfm-out")" -ge 6 ]; then
		record "c. DDFM prior train + sample on $dev" ok "2 epochs, $(count_png "$work/ddfm-out") fused images (5 DDIM steps)"
	else
		record "c. DDFM prior train + sample on $dev" FAIL "see logs/c-prior-train.log, logs/c-ddfm-fuse.log"
	fi
else
	record "c. FusionDiff / DDFM" FAIL "synth failed (logs/c-synth.log)"
fi

# ---- d, e. Go against PyTorch on the same device ----
cases="fusiondiff/forward/256 fusiondiff/forward/520 fusiondiff/step/b4/256 siamese/step/b8/256 siamese-cpu/step/b8/256 ddfm-prior/step/b4/64"
reps=5 quick=""
[ $cpu_only = 1 ] && reps=2 quick="--quick"
mkdir -p "$work/times"
bench_ok=1
for round in 1 2; do
	i=0
	for c in $cases; do
		i=$((i + 1))
		run "d-go-$round-$i" "$mfif" --device "$dev" bench --nets "$c" --reps $reps $quick --json "$work/times/go-$round-$i.json" || bench_ok=0
		if [ -n "$torch_dir" ] && [ "${c%%/*}" != ddfm-prior ]; then
			run "d-pt-$round-$i" "$py" docs/pytorch/bench_nets.py --device "$dev" --threads "$(nproc)" --reps $reps $quick --json "$work/times/pt-$round-$i.json" "$c" || bench_ok=0
		fi
	done
done
table="$("$py" - "$work/times" <<'PY'
import glob, json, os, sys
rows = {}
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    side = os.path.basename(p).split("-")[0]
    with open(p) as f:
        d = json.load(f)
    for r in d["results"]:
        e = rows.setdefault(r["name"], {"go": [], "pt": [], "gomem": 0, "ptmem": 0, "ptpeak": 0,
                                        "input": f"{r.get('batch', '?')}x{r.get('side', '?')}"})
        e[side].append(r["median_s"])
        e[side + "mem"] = max(e[side + "mem"], r.get("device_mib") or r.get("peak_rss_mib", 0))
        if side == "pt":
            e["ptpeak"] = max(e["ptpeak"], r.get("torch_max_reserved_mib", 0))
print("| case | input | Go s (rounds) | PyTorch s (rounds) | Go/PyTorch | Go memory MiB | PyTorch memory MiB | PyTorch allocator peak MiB |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for n, e in rows.items():
    g = " + ".join(f"{v:.4f}" for v in e["go"])
    t = " + ".join(f"{v:.4f}" for v in e["pt"]) or "–"
    ratio = f"{sum(e['go']) / sum(e['pt']):.2f}x" if e["pt"] else "–"
    print(f"| {n} | {e['input']} | {g} | {t} | {ratio} | {e['gomem']:.0f} | {e['ptmem']:.0f} | {e['ptpeak']:.0f} |")
PY
)"
if [ $bench_ok = 1 ]; then
	record "d. Go and PyTorch timed on $dev" ok "$([ -n "$torch_dir" ] && echo 'both sides, 2 alternating rounds' || echo 'Go only: no PyTorch with PyYAML here')"
else
	record "d. Go and PyTorch timed on $dev" FAIL "see logs/d-*.log"
fi
checks_s=$(($(date +%s) - t_checks))

# ---- report ----
{
	echo "# mfif GPU check ($([ $cpu_only = 1 ] && echo 'CPU only' || echo "$dev"))"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(uname -n), $(nproc) cores"
	echo "- GPU: ${driver:-none (nvidia-smi not found)}"
	echo "- PyTorch: ${torch_ver:-none} (CUDA, available: ${torch_cuda:-–}); MFIF_LIBTORCH=${MFIF_LIBTORCH:-system}"
	echo "- mfif: ${src_rev:-unknown source} ($("$mfif" --version))"
	echo "- build: ${build_s} s; checks: ${checks_s} s; total $(($(date +%s) - t_start)) s"
	echo
	echo "| check | result | detail |"
	echo "|---|---|---|"
	printf '%s\n' "${checks[@]}"
	echo
	echo "## d, e. Time per call (median of $reps after one warm-up, per round) and device memory"
	echo
	echo "Memory: on CUDA, what cudaMemGetInfo counts in use after the case (the process's context, cached"
	echo "blocks and live tensors; each case runs in its own process); on the CPU, the peak RSS."
	echo
	echo "$table"
	echo
	echo "Logs: $work/logs"
} >"$report.tmp" && mv -f "$report.tmp" "$report"
log "report: $report ($fails failed)"
cat "$report"
[ $fails = 0 ]
