package experiment

import (
	"fmt"
	"strings"
)

// SlurmScript returns a Slurm job-array script with one array task per
// cell: task k runs `mfif run FILE --cell k`, so array indices are cell
// indices (the same numbering as --cell and as --shard k/N with N cells).
// Every task writes into the shared runs folder root; `mfif report` gathers
// the results afterwards. file is the experiment file as the tasks should
// see it; sets are extra --set key=value arguments passed through.
func SlurmScript(s *Spec, file, root string, sets []string, opt SlurmOptions) (string, error) {
	cells, err := s.Cells()
	if err != nil {
		return "", err
	}
	if root == "" {
		root = "runs"
	}
	if opt.CPUs == 0 {
		opt.CPUs = s.Slurm.CPUs
	}
	if opt.Time == "" {
		opt.Time = s.Slurm.Time
	}
	if opt.Mem == "" {
		opt.Mem = s.Slurm.Mem
	}
	if opt.Partition == "" {
		opt.Partition = s.Slurm.Partition
	}
	if opt.GPUs == 0 {
		opt.GPUs = s.Slurm.GPUs
	}
	opt.Extra = append(append([]string(nil), s.Slurm.Extra...), opt.Extra...)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("#!/bin/bash")
	w("#SBATCH --job-name=mfif-%s", s.Name)
	w("#SBATCH --array=0-%d", len(cells)-1)
	w("#SBATCH --output=%s/%s/slurm/%%A_%%a.out", root, s.Name)
	if opt.Time != "" {
		w("#SBATCH --time=%s", opt.Time)
	}
	if opt.CPUs > 0 {
		w("#SBATCH --cpus-per-task=%d", opt.CPUs)
	}
	if opt.Mem != "" {
		w("#SBATCH --mem=%s", opt.Mem)
	}
	if opt.Partition != "" {
		w("#SBATCH --partition=%s", opt.Partition)
	}
	if opt.GPUs > 0 {
		w("#SBATCH --gres=gpu:%d", opt.GPUs)
	}
	for _, e := range opt.Extra {
		w("#SBATCH %s", e)
	}
	w("#")
	w("# Experiment %s: %d cells; array task k runs cell k (mfif run --cell k),", s.Name, len(cells))
	w("# the same cells as --shard k/%d. Cells already finished are skipped, so", len(cells))
	w("# resubmitting the array after a failure or time-out repeats no work.")
	w("# Submit from the repository root (runs/ must be on a shared filesystem):")
	w("#   mkdir -p %s/%s/slurm && jid=$(sbatch --parsable THIS_SCRIPT)", root, s.Name)
	w("#   sbatch --dependency=afterany:$jid --wrap 'mfif report %s/%s'", root, s.Name)
	w("#")
	for _, c := range cells {
		w("# cell %d: %s  (%s)", c.Index, c.Name, c.Label())
	}
	w("set -euo pipefail")
	args := []string{"mfif", "run", shellQuote(file), "--runs", shellQuote(root), "--cell", "\"$SLURM_ARRAY_TASK_ID\""}
	if opt.CPUs > 0 {
		args = append(args, "--workers", "\"${SLURM_CPUS_PER_TASK:-1}\"")
	}
	for _, kv := range sets {
		args = append(args, "--set", shellQuote(kv))
	}
	w("%s", strings.Join(args, " "))
	return b.String(), nil
}

// shellQuote quotes s for POSIX shells unless it is plainly safe.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
