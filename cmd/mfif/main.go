// Command mfif is the command-line interface of the mfif multi-focus image
// fusion framework: fuse image pairs with a registered method, evaluate
// fused results with the quality metrics, run the self-contained demo and
// time the building blocks.
//
// Every flag can also be set in a YAML file given with --config (global
// flags at the top level, command flags in a section named after the
// command, e.g. "fuse: {method: gff}") or through MFIF_* environment
// variables (MFIF_WORKERS, MFIF_FUSE_METHOD, MFIF_METRICS_PAIRS, ...).
// Flags win over the environment, which wins over the file.
package main

import (
	"fmt"
	"os"
)

func main() {
	root := newRootCmd(os.Stdout, os.Stderr)
	addCompletions(root)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "mfif:", err)
		os.Exit(1)
	}
}
