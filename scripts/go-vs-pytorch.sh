#!/usr/bin/env bash
# go-vs-pytorch.sh [CASE ...]: Go against PyTorch on the CPU, on the same
# networks, shapes, losses and optimizers (train/netbench and
# docs/pytorch/bench_nets.py), the same libtorch and the same thread count,
# PyTorch with tcmalloc preloaded (the allocator CPU users of PyTorch are told
# to use). Go and PyTorch alternate over two rounds, each case in its own
# process, so drift on a shared machine hits both; the ratio uses the sum of
# both rounds' medians (each round's median is printed). Prints one table
# (Markdown).
#
# CASE: names or prefixes of `mfif bench --nets` (default: every case with a
# PyTorch twin). Environment: THREADS (default: all cores), REPS (timed calls
# per case and round after one warm-up, default 3), MFIF_PYTHON (default
# /usr/bin/python3: Debian's python3-torch, on the libtorch of
# libtorch-dev), BEFORE (another mfif binary, e.g. a build of an older
# commit: timed as a third side in the same rounds, for before/after
# tables), GLIBC=1 (PyTorch on glibc's malloc as well, a fourth side in the
# same rounds: the figure users who preload nothing get). Needs
# libtcmalloc-minimal4 and a built bin/mfif (make build).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
py="${MFIF_PYTHON:-/usr/bin/python3}"
threads="${THREADS:-$(nproc)}"
reps="${REPS:-3}"
tc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$tc" ] || { echo "go-vs-pytorch: needs libtcmalloc-minimal4 (apt-get install libtcmalloc-minimal4)" >&2; exit 1; }
[ -x bin/mfif ] || { echo "go-vs-pytorch: build bin/mfif first (make build)" >&2; exit 1; }
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(fusiondiff/forward/256 fusiondiff/forward/520 fusiondiff/step/b4/256 siamese/step/b8/256 siamese-cpu/step/b8/256 ddfm-prior/step/b4/64)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
. scripts/torchenv
echo "go-vs-pytorch: $threads threads, $reps timed calls per case and round; $("$py" -c 'import torch; print("PyTorch", torch.__version__)') + tcmalloc; $(bin/mfif --version)" >&2
for round in 1 2; do
	for i in "${!cases[@]}"; do
		c="${cases[$i]}"
		if [ -n "${BEFORE:-}" ]; then
			echo "round $round: $c (Go before: $BEFORE)" >&2
			"$BEFORE" --device cpu --threads "$threads" bench --nets "$c" --reps "$reps" --json "$tmp/before-$round-$i.json" >/dev/null
		fi
		echo "round $round: $c (Go)" >&2
		bin/mfif --device cpu --threads "$threads" bench --nets "$c" --reps "$reps" --json "$tmp/go-$round-$i.json" >/dev/null
		echo "round $round: $c (PyTorch)" >&2
		LD_PRELOAD="$tc" "$py" docs/pytorch/bench_nets.py --device cpu --threads "$threads" --reps "$reps" \
			--json "$tmp/pt-$round-$i.json" "$c" >/dev/null
		if [ -n "${GLIBC:-}" ]; then
			echo "round $round: $c (PyTorch, glibc malloc)" >&2
			"$py" docs/pytorch/bench_nets.py --device cpu --threads "$threads" --reps "$reps" \
				--json "$tmp/glibc-$round-$i.json" "$c" >/dev/null
		fi
	done
done
"$py" - "$tmp" <<'PY'
import glob, json, os, sys
rows = {}
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    side = os.path.basename(p).split("-")[0]
    for r in json.load(open(p))["results"]:
        e = rows.setdefault(r["name"], {})
        d = e.setdefault(side, {"med": [], "rss": 0})
        d["med"].append(r["median_s"])
        d["rss"] = max(d["rss"], r["peak_rss_mib"])
before = any("before" in e for e in rows.values())
glibc = any("glibc" in e for e in rows.values())
fmt = lambda d: " + ".join(f"{m:.3f}" for m in d["med"])
head = ["case"] + (["Go before s (rounds)"] if before else []) + ["Go s (rounds)", "PyTorch+tcmalloc s"]
head += (["PyTorch glibc s"] if glibc else []) + (["before/PyTorch"] if before else []) + ["Go/PyTorch"]
head += (["Go/PyTorch glibc"] if glibc else []) + (["Go before peak RSS MiB"] if before else [])
head += ["Go peak RSS MiB", "PyTorch peak RSS MiB"] + (["PyTorch glibc peak RSS MiB"] if glibc else [])
print("| " + " | ".join(head) + " |")
print("|---|" + "---:|" * (len(head) - 1))
for n, e in rows.items():
    if "pt" not in e:  # no PyTorch twin: Go alone
        print(f"| {n} (Go alone: {fmt(e['go'])} s, peak RSS {e['go']['rss']:.0f} MiB) |")
        continue
    g, t = sum(e["go"]["med"]), sum(e["pt"]["med"])
    cols = [n] + ([fmt(e["before"])] if before else []) + [fmt(e["go"]), fmt(e["pt"])]
    cols += [fmt(e["glibc"])] if glibc else []
    cols += [f"{sum(e['before']['med']) / t:.2f}x"] if before else []
    cols.append(f"{g / t:.2f}x")
    cols += [f"{g / sum(e['glibc']['med']):.2f}x"] if glibc else []
    cols += [f"{e['before']['rss']:.0f}"] if before else []
    cols += [f"{e['go']['rss']:.0f}", f"{e['pt']['rss']:.0f}"]
    cols += [f"{e['glibc']['rss']:.0f}"] if glibc else []
    print("| " + " | ".join(cols) + " |")
PY
