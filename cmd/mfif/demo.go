package main

import (
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

func (a *app) demoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo [--out DIR] [--n N]",
		Short: "Synthesise pairs, fuse with every classical method, evaluate, report",
		Long: `Run the whole pipeline offline: synthesise N multi-focus pairs with ground
truth into OUT/pairs, fuse them with every registered method that needs no
model into OUT/fused/<method>/, evaluate the six primary metrics plus PSNR
and SSIM against the ground truth, print the table and write results.json,
tables, plots and a qualitative figure of the first pair into OUT/report.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runDemo(cmd) },
	}
	f := cmd.Flags()
	f.String("out", "mfif-demo", "output folder")
	f.Int("n", 6, "number of synthetic pairs")
	f.Int("size", 160, "side of the synthetic images in pixels")
	f.Int64("seed", 1, "seed of the synthetic set")
	f.StringSlice("methods", nil, "methods to run (default: all that need no model)")
	return cmd
}

func (a *app) runDemo(cmd *cobra.Command) error {
	out := a.v.GetString("demo.out")
	pairs, err := a.demoPairs(filepath.Join(out, "pairs"))
	if err != nil {
		return err
	}
	methods := a.list("demo.methods")
	if len(methods) == 0 {
		methods = pipeline.DefaultMethods()
	}
	sources, err := pipeline.FuseAll(pairs, methods, filepath.Join(out, "fused"), a.options())
	if err != nil {
		return err
	}
	names := append(metrics.Primary(), pipeline.ReferenceMetrics()...)
	res, err := pipeline.Evaluate(pairs, sources, pipeline.EvalOptions{
		Metrics: names, Dataset: filepath.Join(out, "pairs"), Config: a.settings(cmd),
	}, a.options())
	if err != nil {
		return err
	}
	if err := a.emit(res, filepath.Join(out, "report"), "Synthetic demo: mean scores"); err != nil {
		return err
	}
	fig := filepath.Join(out, "report", "figure_"+pairs[0].Name+".png")
	if err := pipeline.QualitativeFigure(fig, pairs[0], sources, 0, report.GridOptions{}); err != nil {
		return err
	}
	a.infof("qualitative figure: %s", fig)
	return nil
}

// demoPairs writes the synthetic set, silencing its progress bar when quiet.
func (a *app) demoPairs(dir string) ([]data.Pair, error) {
	if a.v.GetBool("quiet") {
		prev := data.ProgressOutput
		data.ProgressOutput = io.Discard
		defer func() { data.ProgressOutput = prev }()
	}
	size := a.v.GetInt("demo.size")
	return data.WriteSyntheticSet(dir, a.v.GetInt("demo.n"), data.SynthConfig{W: size, H: size}, a.v.GetInt64("demo.seed"))
}
