package train

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/nets/backend"
)

// EarlyStopping stops training when the validation loss has not improved by
// more than MinDelta for Patience consecutive epochs. The zero value with a
// Patience set is ready to use; all fields are exported so the state is
// saved in checkpoints as is.
type EarlyStopping struct {
	// Patience is the number of epochs without improvement tolerated;
	// zero or less never stops and only tracks the best epoch.
	Patience int `json:"patience"`
	// MinDelta is the smallest decrease that counts as an improvement.
	MinDelta float64 `json:"min_delta"`
	// HasBest reports whether Best holds an observed loss.
	HasBest bool `json:"has_best"`
	// Best is the lowest validation loss seen.
	Best float64 `json:"best"`
	// BestEpoch is the 1-based epoch that produced Best.
	BestEpoch int `json:"best_epoch"`
	// Bad counts consecutive epochs without improvement.
	Bad int `json:"bad"`
}

// Observe records the validation loss of the 1-based epoch and reports
// whether it is a new best and whether training should stop. A NaN or
// infinite loss is an error rather than a silent non-improvement.
func (e *EarlyStopping) Observe(epoch int, loss float64) (improved, stop bool, err error) {
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return false, false, fmt.Errorf("early stopping: validation loss at epoch %d is %v", epoch, loss)
	}
	if !e.HasBest || loss < e.Best-e.MinDelta {
		e.HasBest, e.Best, e.BestEpoch, e.Bad = true, loss, epoch, 0
		return true, false, nil
	}
	e.Bad++
	return false, e.Patience > 0 && e.Bad >= e.Patience, nil
}

// validate runs the task's validation without gradients (EMA weights when
// averaging).
func (t *Trainer) validate(v Validator, epoch int) (Validation, error) {
	var val Validation
	run := func() error {
		return backend.NoGrad(func() error {
			var err error
			val, err = v.Validate(epoch)
			return err
		})
	}
	var err error
	if t.ema != nil {
		err = t.ema.With(run)
	} else {
		err = run()
	}
	if err != nil {
		return val, fmt.Errorf("epoch %d validation: %w", epoch, err)
	}
	if math.IsNaN(val.Loss) || math.IsInf(val.Loss, 0) {
		return val, fmt.Errorf("epoch %d validation loss is %v", epoch, val.Loss)
	}
	return val, nil
}
