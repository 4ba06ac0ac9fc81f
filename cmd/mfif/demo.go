package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/eval/experiment"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

func (a *app) demoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo [--out DIR] [--n N]",
		Short: "Synthesise pairs, train the Siamese model, fuse with it and every classical method, evaluate, report",
		Long: `Run the whole pipeline offline: synthesise N held-out multi-focus pairs with
ground truth into OUT/pairs, train the Siamese network on procedural scenes
from its own seed stream (--train-config, default siamese-demo; a finished
or interrupted run in OUT/siamese is resumed, not repeated), fuse the pairs
with it and with every registered method that needs no model into
OUT/fused/<method>/, evaluate the six primary metrics plus PSNR and SSIM
against the ground truth, print the table and write results.json, tables,
plots and a qualitative figure of the first pair into OUT/report.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runDemo(cmd) },
	}
	f := cmd.Flags()
	f.String("out", "mfif-demo", "output folder")
	f.Int("n", 6, "number of synthetic pairs")
	f.Int("size", 160, "side of the synthetic images in pixels")
	f.Int64("seed", 1001, "seed of the held-out synthetic set (training scenes use the config's train.seed)")
	f.String("train-config", "siamese-demo", "model config to train and compare (embedded name or YAML path); empty = classical methods only")
	f.StringSlice("methods", nil, "methods to run (default: all that need no model)")
	return cmd
}

func (a *app) runDemo(cmd *cobra.Command) error {
	out := a.v.GetString("demo.out")
	unlock, err := lockOut("demo --out", out)
	if err != nil {
		return err
	}
	defer unlock()
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
	if cfg := a.v.GetString("demo.train-config"); cfg != "" {
		src, err := a.demoModel(cmd.Context(), cfg, pairs, out)
		if err != nil {
			return err
		}
		sources = append(sources, src)
	}
	names := append(metrics.Primary(), pipeline.ReferenceMetrics()...)
	res, err := pipeline.Evaluate(pairs, sources, pipeline.EvalOptions{
		Metrics: names, Dataset: filepath.Join(out, "pairs"), Config: a.settings(cmd),
	}, a.options())
	if err != nil {
		return err
	}
	if err := a.emit(res, filepath.Join(out, "report"), "Synthetic demo: mean scores",
		report.WithGallery(pipeline.Gallery(pairs, res.Images, sources))); err != nil {
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
	return data.WriteSyntheticSetContext(a.ctx, dir, a.v.GetInt("demo.n"), data.SynthConfig{W: size, H: size}, a.v.GetInt64("demo.seed"))
}

// demoModel trains the model cfg describes into out/<model> (resuming what
// a previous demo left there) and fuses the pairs with it.
func (a *app) demoModel(ctx context.Context, cfg string, pairs []data.Pair, out string) (pipeline.Source, error) {
	name, err := modelName(cfg)
	if err != nil {
		return pipeline.Source{}, err
	}
	trainFn, err := experiment.LookupTrainer(name)
	if err != nil {
		return pipeline.Source{}, fmt.Errorf("demo: %w", err)
	}
	if _, err := a.initBackend(); err != nil {
		return pipeline.Source{}, err
	}
	modelDir := filepath.Join(out, name)
	_, statErr := os.Stat(filepath.Join(modelDir, "last.ckpt"))
	a.infof("training %s (%s) into %s", name, cfg, modelDir)
	w := a.logger().Writer()
	ckpt, err := trainFn(ctx, experiment.TrainRequest{Config: cfg, Dir: modelDir, Resume: statErr == nil,
		Force: statErr != nil, Progress: w, Log: w})
	if err != nil {
		return pipeline.Source{}, fmt.Errorf("demo: train %s: %w", cfg, err)
	}
	dir := filepath.Join(out, "fused", name)
	if _, err := pipeline.FuseFolder(pairs, name, eval.Options{"model": ckpt}, dir, a.options()); err != nil {
		return pipeline.Source{}, err
	}
	return pipeline.Source{Method: name, Dir: dir}, nil
}
