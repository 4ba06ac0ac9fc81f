package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"

	"github.com/mfif/mfif/eval/experiment"
)

func init() { extraCommands = append(extraCommands, (*app).runCmd, (*app).reportCmd) }

func (a *app) runCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run EXPERIMENT.yaml [--dry-run] [--shard i/n | --cell k] [--emit slurm]",
		Short: "Run an experiment (datasets x methods x metrics, optionally a sweep) into runs/<name>/",
		Long: `Run the experiment described by a YAML file (see experiments/). A sweep expands
into cells; cell k writes runs/<name>/<cell>/ and a DONE marker last. Finished
cells are skipped, interrupted cells resume (training continues from its last
checkpoint, fusion skips images already written), cells whose config or code
version changed are set aside and rerun.

--dry-run lists the cells and their state and checks, without running
anything, that the datasets and checkpoints exist and that every method's
options are valid. --shard i/n runs the cells whose
index mod n is i (0-based), so shards 0/n..n-1/n cover every cell once;
--cell k runs cell k alone. --emit slurm writes a job-array script with one
task per cell (array index = cell index). --set key=value overrides a key of
the experiment file (e.g. --set datasets.lytro.path=/data/lytro). After a
full run (no --shard/--cell) the report is written to runs/<name>/report/.
SIGINT or SIGTERM stops at a safe point (a training keeps a checkpoint at
its current step) and exits with 128+signal; the same command resumes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runExperiment(cmd, args[0]) },
	}
	f := cmd.Flags()
	f.String("runs", "runs", "folder holding the experiment folders")
	f.Bool("dry-run", false, "list the cells and their state, run nothing")
	f.String("shard", "", "run only shard i/n: cells whose index mod n == i (0-based)")
	f.Int("cell", -1, "run only the cell with this index")
	f.String("emit", "", "write a scheduler script instead of running (slurm)")
	f.String("out", "", "file for --emit (default runs/<name>/<name>.slurm; - for stdout)")
	f.StringArray("set", nil, "experiment override key=value (repeatable)")
	f.Bool("no-report", false, "do not write the report after a full run")
	f.Bool("vcs-key", false, "include the binary's VCS revision in cell keys (every commit then reruns all cells)")
	return cmd
}

func (a *app) runExperiment(cmd *cobra.Command, file string) error {
	sets := cast.ToStringSlice(a.v.Get("run.set"))
	overrides, err := setOverrides(a.v.Get("run.set"))
	if err != nil {
		return err
	}
	spec, err := experiment.Load(file, overrides)
	if err != nil {
		return err
	}
	r := &experiment.Runner{Spec: spec, Root: a.v.GetString("run.runs"), Workers: a.v.GetInt("workers"),
		Context: cmd.Context()}
	if a.v.GetBool("run.vcs-key") {
		r.Version = experiment.CodeVersion()
	}
	r.Progress = a.logger().Writer()
	r.Log = r.Progress
	if emit := a.v.GetString("run.emit"); emit != "" {
		return a.emitScript(emit, file, spec, r, sets)
	}
	cells, err := spec.Cells()
	if err != nil {
		return err
	}
	selected, full, err := a.selectCells(cells)
	if err != nil {
		return err
	}
	if a.v.GetBool("run.dry-run") {
		if err := a.listCells(r, selected); err != nil {
			return err
		}
		return r.Check(selected)
	}
	info, err := a.initBackend()
	if err != nil {
		return err
	}
	r.Device = info.Name
	if err := r.Run(selected); err != nil {
		if errors.Is(err, context.Canceled) || cmd.Context().Err() != nil {
			return fmt.Errorf("%w\nfinished cells, fused images and training checkpoints are kept: run the same command again to resume", err)
		}
		return err
	}
	if !full || a.v.GetBool("run.no-report") {
		return nil
	}
	sum, err := experiment.Report(r.Dir())
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, sum.Markdown)
	return nil
}

// selectCells applies --shard or --cell; full reports whether every cell
// was selected.
func (a *app) selectCells(cells []experiment.Cell) (sel []experiment.Cell, full bool, err error) {
	shard, cell := a.v.GetString("run.shard"), a.v.GetInt("run.cell")
	switch {
	case shard != "" && cell >= 0:
		return nil, false, fmt.Errorf("--shard and --cell are exclusive")
	case shard != "":
		i, n, err := experiment.ParseShard(shard)
		if err != nil {
			return nil, false, err
		}
		sel, err := experiment.Shard(cells, i, n)
		return sel, n == 1, err
	case cell >= 0:
		if cell >= len(cells) {
			return nil, false, fmt.Errorf("--cell %d: the experiment has cells 0..%d", cell, len(cells)-1)
		}
		return cells[cell : cell+1], len(cells) == 1, nil
	}
	return cells, true, nil
}

func (a *app) listCells(r *experiment.Runner, cells []experiment.Cell) error {
	for _, c := range cells {
		st, _, err := r.Status(c)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d\t%s\t%s\t%s\n", c.Index, st, c.Name, c.Label())
	}
	return nil
}

func (a *app) emitScript(kind, file string, spec *experiment.Spec, r *experiment.Runner, sets []string) error {
	if kind != "slurm" {
		return fmt.Errorf("--emit %q: only slurm is supported", kind)
	}
	script, err := experiment.SlurmScript(spec, file, a.v.GetString("run.runs"), sets, experiment.SlurmOptions{})
	if err != nil {
		return err
	}
	out := a.v.GetString("run.out")
	if out == "-" {
		_, err := fmt.Fprint(a.stdout, script)
		return err
	}
	if out == "" {
		out = filepath.Join(r.Dir(), spec.Name+".slurm")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(r.Dir(), "slurm"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, []byte(script), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintln(a.stdout, out)
	return nil
}
