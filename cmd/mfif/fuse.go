package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/eval/pipeline"
)

func (a *app) fuseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fuse --method NAME [--opt k=v ...] [--model CKPT] --pairs DIR --out DIR",
		Short: "Fuse every source pair in a folder with a registered method",
		Long: `Fuse every pair found in --pairs with the method --method and write
<pair>_<method>.png into --out, plus <pair>_<method>_map.png (the decision
map scaled to 0..255) when the method produces one. Pairs are processed in
parallel.

Methods come from the fusion registry, so methods registered by other
packages (for example trained models) are available under their names.
--opt k=v sets a method option (repeatable; values are parsed as YAML
scalars: 3, 0.5, true, text); --model CKPT is short for --opt model=CKPT.

SIGINT or SIGTERM stops fuse within one pair: the pairs in progress are
finished (every image is written atomically), the command exits with
128+signal, and the same command with --resume fuses only the rest.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runFuse(cmd) },
	}
	f := cmd.Flags()
	f.String("method", "", "fusion method (one of the registered names; see --list)")
	f.StringArray("opt", nil, "method option k=v (repeatable)")
	f.String("model", "", "model checkpoint, same as --opt model=CKPT")
	f.String("pairs", "", "folder of source pairs (source_1/, source_2/ or NAME_A/NAME_B files)")
	f.String("out", "", "output folder for fused images")
	f.Bool("resume", false, "skip the pairs whose fused image is already in --out, complete and of the pair's size (after an interruption; the method's options must be the same)")
	f.Bool("list", false, "list the registered methods and exit")
	f.Int("repeats", 1, "fuse N >= 1 times with seeds seed, seed+1, ... (methods with a seed option, e.g. fusiondiff, ddfm) and report every metric's mean and spread")
	return cmd
}

func (a *app) runFuse(cmd *cobra.Command) error {
	if err := a.validate(cmd); err != nil {
		return err
	}
	if a.v.GetBool("fuse.list") {
		for _, n := range eval.Names() {
			info, _ := eval.Lookup(n)
			fmt.Fprintf(a.stdout, "%-14s %s\n", n, info.Description)
		}
		return nil
	}
	method, pairsDir, out := a.v.GetString("fuse.method"), a.v.GetString("fuse.pairs"), a.v.GetString("fuse.out")
	if err := required(map[string]string{"--method": method, "--pairs": pairsDir, "--out": out}); err != nil {
		return err
	}
	if err := pipeline.CheckOutDir(out, pairsDir); err != nil {
		return fmt.Errorf("fuse --out: %w", err)
	}
	if _, err := a.initBackend(); err != nil {
		return err
	}
	opts, err := methodOptions(a.v.Get("fuse.opt"))
	if err != nil {
		return err
	}
	if m := a.v.GetString("fuse.model"); m != "" {
		opts["model"] = m
	}
	a.quietMethod(method, opts)
	pairs, err := data.DiscoverPairs(pairsDir)
	if err != nil {
		return err
	}
	if n := a.v.GetInt("fuse.repeats"); n > 1 {
		unlock, err := lockOut("fuse --out", out)
		if err != nil {
			return err
		}
		defer unlock()
		return a.runRepeats(cmd, pairs, method, opts, out, n)
	}
	o := a.options()
	o.Resume = a.v.GetBool("fuse.resume")
	paths, err := pipeline.FuseFolder(pairs, method, opts, out, o)
	if err != nil {
		return err
	}
	a.infof("fused %d pairs with %s into %s", len(paths), method, out)
	return nil
}

// required reports the first empty value of a flag that must be set.
func required(flags map[string]string) error {
	var missing []string
	for name, v := range flags {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sortStrings(missing)
		return fmt.Errorf("missing required flag(s) %s", strings.Join(missing, ", "))
	}
	return nil
}

// methodOptions turns the --opt values (a list of k=v, or a mapping when
// set from the config file) into eval.Options. Values are decoded as YAML
// scalars so numbers and booleans arrive typed.
func methodOptions(raw any) (eval.Options, error) {
	opts := eval.Options{}
	switch r := raw.(type) {
	case nil:
		return opts, nil
	case map[string]any:
		for k, v := range r {
			opts[k] = v
		}
		return opts, nil
	}
	list, err := cast.ToStringSliceE(raw)
	if err != nil {
		return nil, fmt.Errorf("--opt: %w", err)
	}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--opt %q: want key=value", kv)
		}
		opts[strings.TrimSpace(k)] = scalar(v)
	}
	return opts, nil
}

// scalar decodes a YAML scalar, falling back to the raw text.
func scalar(s string) any {
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	switch v.(type) {
	case int, float64, bool, string:
		return v
	}
	return s
}

// quietMethod turns off a model method's own progress bar under --quiet,
// unless the options set it explicitly.
func (a *app) quietMethod(method string, opts eval.Options) {
	if !a.v.GetBool("quiet") {
		return
	}
	if info, err := eval.Lookup(method); err == nil && info.Progress {
		if _, set := opts["progress"]; !set {
			opts["progress"] = false
		}
	}
}
