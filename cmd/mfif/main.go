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
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mfif/mfif/internal/printable"
	"github.com/mfif/mfif/internal/progress"
)

func main() {
	ctx, stop := signalContext()
	defer stop()
	// Messages name files, whose names may be any bytes: show those that
	// are not UTF-8 as \xNN.
	stderr := printable.Writer(os.Stderr)
	root := newRootCmd(os.Stdout, stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "mfif:", err)
		os.Exit(exitCode(err))
	}
}

// signalError is the cancellation cause of the command's context when a
// signal arrives.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "received " + signalName(e.sig) }

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// signalContext returns a context cancelled (with a signalError cause) at
// the first SIGINT or SIGTERM, so long commands stop at a safe point and
// keep what they wrote (training writes a checkpoint at its current step).
// A second signal exits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s, ok := <-ch
		if !ok {
			return
		}
		progress.Interrupt() // end a progress bar's line first
		fmt.Fprintf(os.Stderr, "mfif: %s: stopping after the current step or pairs in progress, keeping every finished output (send it again to quit at once)\n", signalName(s))
		cancel(signalError{s})
		if s, ok = <-ch; ok {
			progress.Interrupt()
			fmt.Fprintf(os.Stderr, "mfif: %s again: quitting without saving\n", signalName(s))
			os.Exit(128 + int(s.(syscall.Signal)))
		}
	}()
	return ctx, func() { signal.Stop(ch); close(ch); cancel(nil) }
}

// exitCode is 128+signal for a run stopped by a signal (the shell's
// convention, which Slurm and job scripts read), else 1.
func exitCode(err error) int {
	var se signalError
	if errors.As(err, &se) {
		if s, ok := se.sig.(syscall.Signal); ok {
			return 128 + int(s)
		}
	}
	return 1
}
