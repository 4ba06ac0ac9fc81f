package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/internal/dirlock"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/report"
)

// app is the state shared by the commands of one invocation; tests build a
// fresh one per run so nothing leaks between in-process executions.
type app struct {
	v      *viper.Viper
	stdout io.Writer
	stderr io.Writer
	// device is what initBackend resolved (nil before).
	device *backend.Info
	// ctx is the running command's context (cancelled by SIGINT/SIGTERM).
	ctx context.Context
}

// extraCommands lets other files of this package add subcommands from an
// init function (e.g. extraCommands = append(extraCommands, (*app).trainCmd)),
// so commands that need libtorch live beside the classical ones without
// root.go knowing them. Their flags bind and validate like every other.
var extraCommands []func(*app) *cobra.Command

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	a := &app{v: viper.New(), stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "mfif",
		Short:         "Multi-focus image fusion: fuse, evaluate, report",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.String("config", "", "YAML configuration file (global keys at top level, command keys under the command name)")
	pf.Int("workers", 0, "parallel workers (0 = all cores)")
	pf.Bool("quiet", false, "no progress bars or informational output")
	pf.Int("threads", 0, "libtorch threads for the models (0 = one per core; on a machine shared with other jobs use the free cores only)")
	pf.String("device", "auto", "compute device of the models: auto (CUDA when available, else CPU), cpu, cuda or cuda:N (also MFIF_DEVICE or the config key device)")
	pf.Bool("deterministic", false, "on CUDA: no TF32 and deterministic cuDNN algorithms, so a run follows the CPU run of the same seed to float32 rounding (slower; also MFIF_DETERMINISTIC)")
	addGlobalFlags(pf)
	root.AddCommand(a.fuseCmd(), a.metricsCmd(), a.demoCmd(), a.benchCmd())
	for _, c := range extraCommands {
		root.AddCommand(c(a))
	}
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		a.ctx = cmd.Context()
		if err := a.configure(root, cmd); err != nil {
			return err
		}
		return a.validate(cmd)
	}
	addCompletions(root)
	return root
}

func version() string {
	p := report.NewProvenance("", nil)
	v := p.Version
	if p.Revision != "" {
		v += " (" + p.Revision
		if p.Modified {
			v += ", modified"
		}
		v += ")"
	}
	return v + " " + p.GoVersion + ", " + backend.Flavor()
}

// configure binds the flags of cmd to viper keys (global flags by name,
// command flags as "<command>.<flag>"), enables MFIF_* environment
// variables and reads the --config file, rejecting unknown keys.
func (a *app) configure(root, cmd *cobra.Command) error {
	a.v.SetEnvPrefix("MFIF")
	a.v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	a.v.AutomaticEnv()
	var bindErr error
	bind := func(key string, f *pflag.Flag) {
		if err := a.v.BindPFlag(key, f); err != nil && bindErr == nil {
			bindErr = err
		}
	}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) { bind(f.Name, f) })
	if cmd != root {
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) { bind(cmd.Name()+"."+f.Name, f) })
	}
	if bindErr != nil {
		return bindErr
	}
	path, _ := root.PersistentFlags().GetString("config")
	if path == "" {
		path = os.Getenv("MFIF_CONFIG")
	}
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := checkKeys(b, allowedKeys(root)); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	a.v.SetConfigType("yaml")
	if err := a.v.ReadConfig(strings.NewReader(string(b))); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// allowedKeys maps every top-level config key to the keys allowed inside it
// (nil for a plain value).
func allowedKeys(root *cobra.Command) map[string]map[string]bool {
	keys := map[string]map[string]bool{}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "config" {
			keys[f.Name] = nil
		}
	})
	for _, c := range root.Commands() {
		sub := map[string]bool{}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { sub[f.Name] = true })
		keys[c.Name()] = sub
	}
	return keys
}

// checkKeys rejects any key of the YAML document b that no flag defines,
// naming it in dotted form.
func checkKeys(b []byte, allowed map[string]map[string]bool) error {
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("parse yaml: %w", err)
	}
	for _, k := range report.SortedKeys(doc) {
		sub, ok := allowed[k]
		if !ok {
			return fmt.Errorf("unknown key %q (known: %s)", k, strings.Join(report.SortedKeys(allowed), ", "))
		}
		if sub == nil {
			continue
		}
		section, ok := doc[k].(map[string]any)
		if !ok {
			if doc[k] == nil {
				continue
			}
			return fmt.Errorf("key %q must be a section of %s flags", k, k)
		}
		for _, sk := range report.SortedKeys(section) {
			if !sub[sk] {
				known := report.SortedKeys(sub)
				sort.Strings(known)
				return fmt.Errorf("unknown key %q (known in %s: %s)", k+"."+sk, k, strings.Join(known, ", "))
			}
		}
	}
	return nil
}

// options returns the pipeline options from the global flags.
func (a *app) options() pipeline.Options {
	return pipeline.Options{Workers: a.v.GetInt("workers"), Progress: a.logger().Writer(), Context: a.ctx}
}

// infof prints an informational line unless --quiet.
func (a *app) infof(format string, args ...any) { a.logger().Logf(format, args...) }

// settings returns the effective values of cmd's flags for provenance.
func (a *app) settings(cmd *cobra.Command) map[string]any {
	out := map[string]any{"workers": a.v.GetInt("workers")}
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" {
			out[f.Name] = a.v.Get(cmd.Name() + "." + f.Name)
		}
	})
	return out
}

// lockOut takes the one-writer lock of a folder the command writes
// (dirlock.Acquire: created when missing, refused at once with the holder's
// pid, command line and start time when another mfif writes it). flag names
// the option that gave the folder.
func lockOut(flag, dir string) (unlock func(), err error) {
	unlock, err = dirlock.Acquire(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return unlock, nil
}
