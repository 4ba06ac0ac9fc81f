package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

func (a *app) metricsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "metrics --pairs DIR --fused DIR[,DIR...] [--metrics Q_NMI,...] [--suite NAME,...] [--out DIR]",
		Short: "Evaluate fused results with the quality metrics",
		Long: `Evaluate the fused images in one or more --fused folders against the
source pairs in --pairs. Fused files are named <pair>_<METHOD>.<ext> (MFIFB
layout, several methods per folder) or sit in one folder per method
(<METHOD>/<pair>.<ext>). Prints the methods x metrics table of means (bold:
best, italics: second best) and, with --out, writes results.json,
table.md/.csv/.tex and bar and box plots there, after removing the files an
earlier report wrote into that folder (other files are kept). The default
metrics are the six of the paper tables (Q_NMI, Q_G, Q_CB, Q_TE, Q_SF,
Q_Piella). The folders of the pairs' own images are never taken for methods.

--suite NAME[,NAME] adds the metrics of reference toolkits, each computed
exactly as that toolkit does (its formulas, parameters and colour handling),
under the keys <suite>.<name> with the toolkit's own names: zhengliu (Zheng
Liu's fusionAssess.m), cddfuse (CDDFuse's Evaluator.py, what DDFM reports),
and the others listed by --metrics list. With --suite alone only the suite
metrics are computed; with --metrics too, both (the named metrics first).
docs/metrics.md describes every suite metric.

--skip-missing evaluates a method on the pairs it has fused images for
instead of failing; the skipped pairs of each method are listed on stderr.
Means and best/second marks are then over the pairs every method has, so
all rows compare the same images; --rank-all instead averages each method
over all its own pairs, and the table shows each method's n.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runMetrics(cmd) },
	}
	f := cmd.Flags()
	f.String("pairs", "", "folder of source pairs")
	f.StringSlice("fused", nil, "folder(s) of fused images, comma separated")
	f.StringSlice("metrics", nil, "metrics to compute (default: the six primary ones; 'list' lists all and the suites)")
	f.StringSlice("suite", nil, "reference-toolkit suites whose metrics to compute, keys <suite>.<name> (zhengliu, cddfuse, ...; see --metrics list)")
	f.StringSlice("methods", nil, "only evaluate these methods (default: all found)")
	f.String("out", "", "folder for results.json, tables and plots")
	f.Bool("skip-missing", false, "skip pairs whose fused image is missing instead of failing (lists them on stderr; means over the pairs every method has)")
	f.Bool("rank-all", false, "with --skip-missing: average and rank each method over all its own pairs (the table then shows n per method)")
	return cmd
}

func (a *app) runMetrics(cmd *cobra.Command) error {
	if err := a.validate(cmd); err != nil {
		return err
	}
	names := a.list("metrics.metrics")
	if len(names) == 1 && names[0] == "list" {
		return a.listMetrics()
	}
	suites := a.list("metrics.suite")
	names, err := withSuites(names, suites, "--suite")
	if err != nil {
		return err
	}
	pairsDir, fused := a.v.GetString("metrics.pairs"), a.list("metrics.fused")
	if err := required(map[string]string{"--pairs": pairsDir, "--fused": strings.Join(fused, ",")}); err != nil {
		return err
	}
	pairs, err := data.DiscoverPairs(pairsDir)
	if err != nil {
		return err
	}
	sources, err := pipeline.DiscoverSources(fused, pairs, a.list("metrics.methods"))
	if err != nil {
		return err
	}
	if len(suites) > 0 {
		names = a.dropReferenceKeys(names, pairs)
	}
	skip, rankAll := a.v.GetBool("metrics.skip-missing"), a.v.GetBool("metrics.rank-all")
	if rankAll && !skip {
		return fmt.Errorf("--rank-all only applies with --skip-missing")
	}
	if out := a.v.GetString("metrics.out"); out != "" {
		unlock, err := lockOut("metrics --out", out)
		if err != nil {
			return err
		}
		defer unlock()
	}
	res, err := pipeline.Evaluate(pairs, sources, pipeline.EvalOptions{
		Metrics: names, SkipMissing: skip, RankAll: rankAll, Log: prefixed{a.stderr, "mfif metrics: "},
		Dataset: pairsDir, Config: a.settings(cmd),
	}, a.options())
	if err != nil {
		return err
	}
	caption := "Mean scores on " + pairsDir
	if len(res.Images) < len(pairs) {
		caption += fmt.Sprintf(" (the %d of %d pairs every method has)", len(res.Images), len(pairs))
	}
	return a.emit(res, a.v.GetString("metrics.out"), caption, report.WithGallery(pipeline.Gallery(pairs, res.Images, sources)))
}

// prefixed writes each Write (one line of the pipeline's log) with a
// prefix, so warnings on stderr say which command they come from.
type prefixed struct {
	w      io.Writer
	prefix string
}

func (p prefixed) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

// emit prints the table of means and, when dir is set, writes the full
// report there (opts: the gallery of its HTML page).
func (a *app) emit(res *report.Results, dir, caption string, opts ...report.Option) error {
	fmt.Fprint(a.stdout, res.Table("", false).Markdown())
	if dir == "" {
		return nil
	}
	paths, err := report.WriteReport(dir, caption, res, opts...)
	if err != nil {
		return err
	}
	a.logger().Logf("wrote %d report files to %s; open %s in a browser", len(paths), dir, filepath.Join(dir, report.HTMLFile))
	return nil
}

// withSuites appends the metric keys of the named suites to names (flag
// names the option in errors). Without suites names is returned as is.
func withSuites(names, suites []string, flag string) ([]string, error) {
	if len(suites) == 0 {
		return names, nil
	}
	keys, err := metrics.SuiteKeys(strings.Join(suites, ","))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	out := append([]string(nil), names...)
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// dropReferenceKeys leaves out the suite metrics that need a ground truth
// when some pair has none (a suite such as yuliu lists PSNR and SSIM against
// the ground truth beside its fusion metrics), saying so on stderr. Metrics
// named with --metrics are kept, so asking for one still fails clearly.
func (a *app) dropReferenceKeys(names []string, pairs []data.Pair) []string {
	missing := 0
	for _, p := range pairs {
		if p.Reference == "" {
			missing++
		}
	}
	if missing == 0 {
		return names
	}
	var out, dropped []string
	for _, n := range names {
		if m, err := metrics.Lookup(n); err == nil && m.NeedsReference && metrics.IsSuiteKey(n) {
			dropped = append(dropped, n)
			continue
		}
		out = append(out, n)
	}
	if len(dropped) > 0 {
		fmt.Fprintf(a.stderr, "mfif metrics: %d of %d pairs have no ground truth, so the suite metrics that need one are left out: %s\n",
			missing, len(pairs), strings.Join(dropped, ", "))
	}
	return out
}

// listMetrics prints mfif's own metrics, then each suite with its toolkit
// and its metrics in the toolkit's order.
func (a *app) listMetrics() error {
	line := func(key string) {
		m, _ := metrics.Lookup(key)
		ref := ""
		if m.NeedsReference {
			ref = " (needs reference)"
		}
		fmt.Fprintf(a.stdout, "%-18s %-7s %s%s\n", key, m.Better, m.Description, ref)
	}
	for _, n := range metrics.ClassicNames() {
		line(n)
	}
	for _, name := range metrics.SuiteNames() {
		s, _ := metrics.LookupSuite(name)
		fmt.Fprintf(a.stdout, "\nsuite %s (--suite %s): %s\n  colour: %s\n", name, name, s.Toolkit, s.Colour)
		for _, k := range s.Keys() {
			line(k)
		}
	}
	return nil
}

// list reads a list-valued key, accepting a YAML list, a flag slice or a
// comma-separated string (as environment variables give).
func (a *app) list(key string) []string {
	var raw []string
	switch v := a.v.Get(key).(type) {
	case nil:
	case string: // environment variable: split on commas only, paths may hold spaces
		raw = []string{v}
	default:
		var err error
		if raw, err = cast.ToStringSliceE(v); err != nil {
			raw = []string{a.v.GetString(key)}
		}
	}
	var out []string
	for _, s := range raw {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func sortStrings(xs []string) { sort.Strings(xs) }
