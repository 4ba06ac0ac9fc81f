package train

import (
	"fmt"
	"os"
	"path/filepath"
)

// Result summarises a finished (or time-limited) run.
type Result struct {
	// Dir is the output folder; Best and Last the checkpoint paths.
	Dir, Best, Last string
	// Epochs and Iterations are the completed epochs and steps.
	Epochs     int
	Iterations int64
	// Stop says why training ended: "epochs", "early-stopping" or "time".
	Stop string
	// BestEpoch and BestVal describe best.ckpt when there is validation.
	BestEpoch int
	BestVal   float64
	// History is the per-epoch record.
	History History
}

// Output file names (the layout of every training folder).
const (
	LastName    = "last.ckpt"   // complete state; --resume reads it
	BestName    = "best.ckpt"   // weights of the best validation epoch
	HistoryName = "history.csv" // one row per epoch (see History.WriteCSV)
	ScalarsName = "scalars.csv" // one row per log_every steps
	ConfigName  = "config.yaml" // the resolved configuration
	LogName     = "train.log"   // the log lines of every session
	LossPNG     = "loss.png"    // loss curves
	LossSVG     = "loss.svg"    //
	eventsGlob  = "events.out.tfevents.*"
)

// runFiles are the files a run writes (removed by Fit's Force).
var runFiles = []string{LastName, BestName, HistoryName, ScalarsName, ConfigName, LogName, LossPNG, LossSVG}

// finish writes the final files of a completed run.
func (t *Trainer) finish() error {
	if err := t.saveLast(); err != nil {
		return err
	}
	if _, ok := t.Task.(Validator); !ok {
		// Without validation, best.ckpt holds the final weights.
		if err := t.saveBest(); err != nil {
			return err
		}
	}
	if err := t.writeHistory(); err != nil {
		return err
	}
	msg := fmt.Sprintf("done (%s) after %d epochs, %d steps, %.1f min", t.st.Stop, t.st.Epoch, t.st.Iter, t.elapsed()/60)
	if t.st.Early.HasBest {
		msg += fmt.Sprintf("; best.ckpt is epoch %d (val %.6g)", t.st.Early.BestEpoch, t.st.Early.Best)
	}
	t.logf("%s", msg)
	return nil
}

func (t *Trainer) result() *Result {
	r := &Result{Dir: t.Dir, Epochs: t.st.Epoch, Iterations: t.st.Iter, Stop: t.st.Stop, History: t.st.History}
	if t.Dir != "" {
		r.Best, r.Last = filepath.Join(t.Dir, BestName), filepath.Join(t.Dir, LastName)
	}
	if t.st.Early.HasBest {
		r.BestEpoch, r.BestVal = t.st.Early.BestEpoch, t.st.Early.Best
	}
	return r
}

// writeHistory writes history.csv and the loss curves.
func (t *Trainer) writeHistory() error {
	if t.Dir == "" || len(t.st.History.Epochs) == 0 {
		return nil
	}
	if err := t.st.History.SaveCSV(filepath.Join(t.Dir, HistoryName)); err != nil {
		return err
	}
	// The curves are a convenience: a plotting failure must not stop
	// training, but it is logged.
	if err := t.st.History.SavePlots(t.Task.Kind()+" loss", filepath.Join(t.Dir, LossPNG), filepath.Join(t.Dir, LossSVG)); err != nil {
		t.logf("warning: loss curves not written: %v", err)
	}
	return nil
}

// openFiles opens train.log and scalars.csv and writes config.yaml.
func (t *Trainer) openFiles() error {
	if t.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	if t.Config != "" {
		if err := writeFileAtomic(filepath.Join(t.Dir, ConfigName), []byte(t.Config)); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(filepath.Join(t.Dir, LogName), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("trainer: %w", err)
	}
	t.logFile = f
	t.scalars, err = openScalarLog(t.Dir, t.st.Iter, t.Loop.BatchSize)
	return err
}
