package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mfif/mfif/eval/experiment"
)

func (a *app) reportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report runs/<experiment>",
		Short: "Write the report of an experiment folder from whatever cells have finished",
		Long: `Gather the results of an experiment run (mfif run) from disk: per-dataset
tables (Markdown, CSV, LaTeX) with best and second best marked, sweep tables
with the varied keys as columns, line plots over numeric sweep keys (error
bars over the repeat axis, e.g. seeds), bar charts, runtime tables, training
loss curves and qualitative figures, linked from runs/<experiment>/report/report.md.
Unfinished cells are listed and skipped, so it can run while a sweep is going.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := os.Stat(args[0]); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			unlock, err := lockOut("report", filepath.Join(args[0], "report"))
			if err != nil {
				return err
			}
			defer unlock()
			sum, err := experiment.Report(args[0])
			if err != nil {
				return err
			}
			a.infof("%d cells done, %d partial, %d pending; %d files", sum.Done, sum.Partial, sum.Pending, len(sum.Files))
			fmt.Fprintln(a.stdout, sum.Markdown)
			return nil
		},
	}
}
