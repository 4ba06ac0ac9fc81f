package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/eval/experiment"
)

func init() { extraCommands = append(extraCommands, (*app).trainCmd) }

func (a *app) trainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "train CONFIG [--out DIR] [--resume] [--set key=value ...]",
		Short: "Train a model from a YAML config (embedded name or file)",
		Long: `Train the model described by CONFIG, an embedded config name (` + strings.Join(configs.Names(), ", ") + `)
or a YAML file. The trainer is chosen by the config's model.name (or
model.kind). Checkpoints (last.ckpt every epoch, best.ckpt), history.csv and
loss.png go to --out (default runs/<config name>); --resume continues from
--out/last.ckpt exactly. --set key=value overrides a config key by its dotted
path (repeatable; values are YAML scalars), e.g. --set train.epochs=3.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runTrain(args[0]) },
	}
	f := cmd.Flags()
	f.String("out", "", "output folder (default runs/<config name>)")
	f.Bool("resume", false, "continue from <out>/last.ckpt")
	f.StringArray("set", nil, "config override key=value (repeatable)")
	return cmd
}

func (a *app) runTrain(cfg string) error {
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
	ckpt, err := fn(cfg, overrides, out, a.v.GetBool("train.resume"))
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, ckpt)
	return nil
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
