package main

import (
	"fmt"
	"maps"
	"path/filepath"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

// runRepeats fuses the pairs n times with seeds seed, seed+1, ... (the
// method's "seed" option, which draws x_T for the diffusion models) into
// out/seed-<s>/, evaluates every run, and reports each metric's mean and
// standard deviation over the runs: the spread shows how far the
// deterministic sampler really makes results repeatable.
func (a *app) runRepeats(cmd *cobra.Command, pairs []data.Pair, method string, opts eval.Options, out string, n int) error {
	base, err := cast.ToInt64E(opts["seed"])
	if opts["seed"] == nil {
		base, err = 1, nil
	}
	if err != nil {
		return fmt.Errorf("--opt seed=%v: %w", opts["seed"], err)
	}
	names := metrics.Primary()
	if pairs[0].Reference != "" {
		names = append(names, pipeline.ReferenceMetrics()...)
	}
	infos, err := pipeline.MetricInfos(names)
	if err != nil {
		return err
	}
	summary := report.NewResults(report.NewProvenance(a.v.GetString("fuse.pairs"), a.settings(cmd)), infos)
	for i := range n {
		seed := base + int64(i)
		runOpts := maps.Clone(opts)
		runOpts["seed"] = seed
		dir := filepath.Join(out, fmt.Sprintf("seed-%d", seed))
		if _, err := pipeline.FuseFolder(pairs, method, runOpts, dir, a.options()); err != nil {
			return err
		}
		res, err := pipeline.Evaluate(pairs, []pipeline.Source{{Method: method, Dir: dir}},
			pipeline.EvalOptions{Metrics: names, Dataset: a.v.GetString("fuse.pairs")}, a.options())
		if err != nil {
			return err
		}
		if err := res.Summarize(); err != nil {
			return err
		}
		means := map[string]float64{}
		for m, st := range res.Summary[method] {
			means[m] = st.Mean
		}
		summary.Add(method, fmt.Sprintf("seed-%d", seed), means)
	}
	if err := summary.Summarize(); err != nil {
		return err
	}
	fmt.Fprint(a.stdout, summary.Table("", true).Markdown())
	dir := filepath.Join(out, "repeats")
	paths, err := report.WriteReport(dir, fmt.Sprintf("%s over %d seeds: mean ± std of the per-run means", method, n), summary)
	if err != nil {
		return err
	}
	a.infof("wrote %d report files to %s", len(paths), dir)
	return nil
}
