package main

import (
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/metrics"
)

// addCompletions makes the shell completion scripts that cobra generates
// ("mfif completion bash|zsh|fish|powershell") offer the registered names:
// fusion methods for fuse --method and bench --methods, metrics for
// metrics --metrics and bench --metrics, embedded config names (and YAML
// files) for train's CONFIG, YAML files for run's experiment and the
// dataset keys of that experiment for run --set. It walks the finished
// command tree, so commands added later through extraCommands are covered
// too; calling it twice is harmless.
func addCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		switch c.Name() {
		case "fuse":
			completeFlag(c, "method", listCompletion(eval.Names, false))
		case "metrics":
			completeFlag(c, "metrics", listCompletion(func() []string { return append(metrics.Names(), "list") }, true))
			completeFlag(c, "suite", listCompletion(metrics.SuiteNames, true))
		case "bench":
			completeFlag(c, "metrics", listCompletion(metrics.Names, true))
			completeFlag(c, "suite", listCompletion(metrics.SuiteNames, true))
			completeFlag(c, "methods", listCompletion(eval.Names, true))
		case "train":
			c.ValidArgsFunction = firstArg(func(string) ([]string, cobra.ShellCompDirective) {
				// Embedded names, and files for a config on disk.
				return configs.Names(), cobra.ShellCompDirectiveDefault
			})
		case "run":
			c.ValidArgsFunction = firstArg(func(string) ([]string, cobra.ShellCompDirective) {
				return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
			})
			completeFlag(c, "set", func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
				if len(args) == 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return datasetKeys(args[0]), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
			})
		case "report":
			c.ValidArgsFunction = firstArg(func(string) ([]string, cobra.ShellCompDirective) {
				return nil, cobra.ShellCompDirectiveFilterDirs
			})
		}
	}
}

type completionFunc = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// completeFlag registers f for the flag of c, ignoring a flag c does not
// have or a function registered already.
func completeFlag(c *cobra.Command, flag string, f completionFunc) {
	if c.Flags().Lookup(flag) != nil {
		_ = c.RegisterFlagCompletionFunc(flag, f)
	}
}

// listCompletion offers names(); with multi, the value is a comma-separated
// list and the name after the last comma is completed, the earlier ones
// kept as typed.
func listCompletion(names func() []string, multi bool) completionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		prefix, word := "", toComplete
		if multi {
			if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
				prefix, word = toComplete[:i+1], toComplete[i+1:]
			}
		}
		var out []string
		for _, n := range names() {
			if strings.HasPrefix(n, word) {
				out = append(out, prefix+n)
			}
		}
		d := cobra.ShellCompDirectiveNoFileComp
		if multi {
			d |= cobra.ShellCompDirectiveNoSpace
		}
		return out, d
	}
}

// firstArg completes the first positional argument with f and nothing
// after it.
func firstArg(f func(toComplete string) ([]string, cobra.ShellCompDirective)) completionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return f(toComplete)
	}
}

// datasetKeys returns "datasets.<name>.path=" for each dataset of the
// experiment file at path (nil if it cannot be read).
func datasetKeys(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var doc struct {
		Datasets map[string]any `yaml:"datasets"`
	}
	if yaml.Unmarshal(b, &doc) != nil {
		return nil
	}
	var out []string
	for name := range doc.Datasets {
		out = append(out, "datasets."+name+".path=")
	}
	sort.Strings(out)
	return out
}
