package ddfm

import (
	"fmt"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/nets/adm"
	"github.com/mfif/mfif/nets/backend"
)

// BenchmarkSamplingStep measures one DDFM step (prior forward pass, EM
// step, DDIM update) with the configs/ddfm-prior-cpu network; it reports
// seconds per step.
func BenchmarkSamplingStep(b *testing.B) {
	raw, err := configs.Read("ddfm-prior-cpu")
	if err != nil {
		b.Fatal(err)
	}
	var cfg struct {
		Model adm.Config `yaml:"model"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		b.Fatal(err)
	}
	const steps = 4
	for _, side := range []int{64, 256} {
		b.Run(fmt.Sprintf("%dx%d", side, side), func(b *testing.B) {
			pair := synthPair(side, side)
			err := backend.Run(func() error {
				p, err := adm.Random(cfg.Model, 1000, 1)
				if err != nil {
					return err
				}
				defer p.Close()
				o, err := LoadOptions(eval.Options{"prior": "unused", "steps": steps, "progress": false})
				if err != nil {
					return err
				}
				m, err := NewWithPrior(p, o)
				if err != nil {
					return err
				}
				b.ResetTimer()
				start := time.Now()
				for range b.N {
					if _, err := m.Fuse(pair); err != nil {
						return err
					}
				}
				b.ReportMetric(time.Since(start).Seconds()/float64(b.N*steps), "s/step")
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
