package experiment

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// TrainFunc trains the model a config describes (an embedded config name
// or a YAML path, with dotted-key overrides) into outDir and returns the
// checkpoint to fuse with. With resume it continues an interrupted run in
// outDir. Trainers also write their loss history to outDir as loss.csv or
// history.csv (epoch, iteration, lr, train_loss, val_loss, seconds).
type TrainFunc func(config string, overrides map[string]any, outDir string, resume bool) (ckpt string, err error)

var (
	trainersMu sync.RWMutex
	trainers   = map[string]TrainFunc{}
)

// RegisterTrainer makes a trainer available to experiments as train.kind.
// Like eval.Register it panics on an empty kind, a nil function or a
// duplicate, which are programming errors made at start-up.
func RegisterTrainer(kind string, f TrainFunc) {
	trainersMu.Lock()
	defer trainersMu.Unlock()
	if kind == "" || f == nil {
		panic("experiment: RegisterTrainer with empty kind or nil function")
	}
	if _, dup := trainers[kind]; dup {
		panic("experiment: trainer " + kind + " registered twice")
	}
	trainers[kind] = f
}

// Trainers lists the registered trainer kinds, sorted.
func Trainers() []string {
	trainersMu.RLock()
	defer trainersMu.RUnlock()
	out := make([]string, 0, len(trainers))
	for k := range trainers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LookupTrainer returns the trainer registered as kind, or an error that
// lists the registered kinds.
func LookupTrainer(kind string) (TrainFunc, error) {
	trainersMu.RLock()
	f, ok := trainers[kind]
	trainersMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("train.kind %q: no such trainer (registered: %s)", kind, strings.Join(Trainers(), ", "))
	}
	return f, nil
}
