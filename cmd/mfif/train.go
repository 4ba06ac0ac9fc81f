package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/eval/experiment"
	"github.com/mfif/mfif/train"
)

func init() { extraCommands = append(extraCommands, (*app).trainCmd) }

func (a *app) trainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "train CONFIG [--out DIR] [--resume | --force] [--set key=value ...]",
		Short: "Train a model from a YAML config (embedded name or file)",
		Long: `Train the model described by CONFIG, an embedded config name (` + strings.Join(configs.Names(), ", ") + `)
or a YAML file. The trainer is chosen by the config's model.name. Every model
trains through the same loop and writes the same folder (--out, default
runs/<config name>): last.ckpt (complete state, also written mid-epoch at the
train.checkpoint_steps / checkpoint_minutes cadence), best.ckpt (weights of
the best validation epoch; the final weights without validation),
history.csv (one row per epoch), scalars.csv and a TensorBoard event file
(every train.log_every steps), loss.png/svg, config.yaml (the resolved
config) and train.log.

A folder that already holds a run is refused: --resume continues it exactly
from last.ckpt (train.epochs, max_minutes, threads, patience and the
checkpoint/log cadence may change), --force deletes it and starts over.
SIGINT or SIGTERM (Ctrl-C, Slurm preemption) stops after the current step,
writes last.ckpt there and exits with 128+signal; --resume then continues.
--set key=value overrides a config key by its dotted path (repeatable;
values are YAML scalars), e.g. --set train.epochs=3.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runTrain(cmd, args[0]) },
	}
	f := cmd.Flags()
	f.String("out", "", "output folder (default runs/<config name>)")
	f.Bool("resume", false, "continue the run in --out from its last.ckpt")
	f.Bool("force", false, "delete a run already in --out and start over")
	f.StringArray("set", nil, "config override key=value (repeatable)")
	return cmd
}

func (a *app) runTrain(cmd *cobra.Command, cfg string) error {
	resume, force := a.v.GetBool("train.resume"), a.v.GetBool("train.force")
	if resume && force {
		return errors.New("--resume and --force exclude each other")
	}
	name, err := modelName(cfg)
	if err != nil {
		return err
	}
	fn, err := experiment.LookupTrainer(name)
	if err != nil {
		return fmt.Errorf("config %s: model.name %q: %w", cfg, name, err)
	}
	overrides, err := setOverrides(a.v.Get("train.set"))
	if err != nil {
		return err
	}
	out := a.v.GetString("train.out")
	if out == "" {
		out = filepath.Join("runs", strings.TrimSuffix(filepath.Base(cfg), ".yaml"))
	}
	if _, err := a.initBackend(); err != nil {
		return err
	}
	unlock, err := lockOut("train --out", out)
	if err != nil {
		return err
	}
	defer unlock()
	w := a.logger().Writer()
	ckpt, err := fn(cmd.Context(), experiment.TrainRequest{Config: cfg, Overrides: overrides, Dir: out,
		Resume: resume, Force: force, Progress: w, Log: w})
	var in *train.Interrupted
	if errors.As(err, &in) {
		return fmt.Errorf("%w\nresume with: mfif train %s --out %s --resume%s", err, cfg, out, setFlags(a.v.Get("train.set")))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, ckpt)
	return nil
}

// setFlags repeats the --set flags of the command line for a resume hint.
func setFlags(raw any) string {
	var b strings.Builder
	for _, kv := range cast.ToStringSlice(raw) {
		fmt.Fprintf(&b, " --set %q", kv)
	}
	return b.String()
}

// modelName reads model.name (or model.kind) without strict decoding, so
// the dispatch works for any model's config.
func modelName(cfg string) (string, error) {
	b, err := configs.Read(cfg)
	if err != nil {
		return "", err
	}
	var doc struct {
		Model struct {
			Name string `yaml:"name"`
			Kind string `yaml:"kind"`
		} `yaml:"model"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return "", fmt.Errorf("config %s: %w", cfg, err)
	}
	if doc.Model.Name != "" {
		return doc.Model.Name, nil
	}
	if doc.Model.Kind != "" {
		return doc.Model.Kind, nil
	}
	return "", fmt.Errorf("config %s: model.name is missing", cfg)
}

// setOverrides parses --set key=value pairs; values are YAML scalars.
func setOverrides(raw any) (map[string]any, error) {
	out := map[string]any{}
	if raw == nil {
		return out, nil
	}
	list, err := cast.ToStringSliceE(raw)
	if err != nil {
		return nil, fmt.Errorf("--set: %w", err)
	}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--set %q: want key=value", kv)
		}
		var val any
		if err := yaml.Unmarshal([]byte(v), &val); err != nil || val == nil {
			val = v
		}
		out[strings.TrimSpace(k)] = val
	}
	return out, nil
}
