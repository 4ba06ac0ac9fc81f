package train

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// scalarLog writes step-level scalars: scalars.csv with the columns step,
// epoch (fractional), lr, loss, the task's loss terms (sorted by name),
// grad_norm, samples_per_s and wall_time (Unix seconds). Every row is the
// mean of the steps since the previous row.
type scalarLog struct {
	f       *os.File
	w       *csv.Writer
	header  []string
	terms   []string
	sum     float64
	n       int
	tsum    map[string]float64
	samples int
	since   time.Time
	sinks   []ScalarSink
}

// ScalarSink receives the rows of scalars.csv, e.g. a TensorBoard event
// file writer.
type ScalarSink interface {
	Scalars(step int64, wall time.Time, values map[string]float64) error
	Close() error
}

// ScalarSinks are opened for every training folder (set by the CLI, e.g. to
// write TensorBoard event files); each gets the run folder.
var ScalarSinks []func(dir string) (ScalarSink, error)

// openScalarLog opens dir/scalars.csv for a run at step iter: a fresh run
// starts a new file; a resumed one keeps the rows up to its step (rows
// written after the checkpoint by the interrupted session are dropped).
func openScalarLog(dir string, iter int64, batch int) (*scalarLog, error) {
	path := filepath.Join(dir, ScalarsName)
	l := &scalarLog{tsum: map[string]float64{}, since: time.Now()}
	var keep [][]string
	if iter > 0 {
		if f, err := os.Open(path); err == nil {
			rows, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err == nil && len(rows) > 0 {
				l.header = rows[0]
				for _, r := range rows[1:] {
					if s, err := strconv.ParseInt(r[0], 10, 64); err == nil && s <= iter {
						keep = append(keep, r)
					}
				}
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("scalars: %w", err)
	}
	l.f, l.w = f, csv.NewWriter(f)
	if l.header != nil {
		l.terms = l.header[4 : len(l.header)-3]
		if err := l.w.WriteAll(append([][]string{l.header}, keep...)); err != nil {
			f.Close()
			return nil, fmt.Errorf("scalars: %w", err)
		}
	}
	for _, open := range ScalarSinks {
		s, err := open(dir)
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("scalars: %w", err)
		}
		l.sinks = append(l.sinks, s)
	}
	return l, nil
}

// Add accumulates one step's loss and terms over a batch of n samples.
func (l *scalarLog) Add(loss float64, terms map[string]float64, n int) {
	l.sum += loss
	l.n++
	l.samples += n
	for k, v := range terms {
		l.tsum[k] += v
	}
}

// Flush writes one row (means since the last row) at step and clears the
// accumulators.
func (l *scalarLog) Flush(step int64, epoch, lr, gradNorm float64) error {
	if l.n == 0 {
		return nil
	}
	now := time.Now()
	if l.header == nil {
		l.terms = slices.Sorted(maps.Keys(l.tsum))
		l.header = append(append([]string{"step", "epoch", "lr", "loss"}, l.terms...), "grad_norm", "samples_per_s", "wall_time")
		if err := l.w.Write(l.header); err != nil {
			return fmt.Errorf("scalars: %w", err)
		}
	}
	g := func(x float64) string {
		if math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 8, 64)
	}
	rate := float64(l.samples) / now.Sub(l.since).Seconds()
	values := map[string]float64{"lr": lr, "loss": l.sum / float64(l.n), "samples_per_s": rate, "epoch": epoch}
	row := []string{strconv.FormatInt(step, 10), g(epoch), g(lr), g(values["loss"])}
	for _, k := range l.terms {
		v := l.tsum[k] / float64(l.n)
		values["loss/"+k] = v
		row = append(row, g(v))
	}
	if !math.IsNaN(gradNorm) {
		values["grad_norm"] = gradNorm
	}
	row = append(row, g(gradNorm), g(rate), strconv.FormatFloat(float64(now.UnixMilli())/1000, 'f', 3, 64))
	if err := l.w.Write(row); err != nil {
		return fmt.Errorf("scalars: %w", err)
	}
	l.w.Flush()
	if err := l.w.Error(); err != nil {
		return fmt.Errorf("scalars: %w", err)
	}
	for _, s := range l.sinks {
		if err := s.Scalars(step, now, values); err != nil {
			return fmt.Errorf("scalars: %w", err)
		}
	}
	l.sum, l.n, l.samples, l.since = 0, 0, 0, now
	clear(l.tsum)
	return nil
}

// Close flushes and closes the files.
func (l *scalarLog) Close() error {
	var errs []error
	if l.w != nil {
		l.w.Flush()
		errs = append(errs, l.w.Error())
	}
	if l.f != nil {
		errs = append(errs, l.f.Close())
	}
	for _, s := range l.sinks {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

var _ io.Closer = (*scalarLog)(nil)
