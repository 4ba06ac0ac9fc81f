package netbench

import (
	"fmt"
	"strings"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	netsi "github.com/mfif/mfif/nets/siamese"
	"github.com/mfif/mfif/train/fusiondiff"
	"github.com/mfif/mfif/train/siamese"
)

// ModelCase is one end-to-end inference case of `mfif bench --models`: a
// fusion method run by `mfif fuse` on one pair with the network of an
// embedded training config.
type ModelCase struct {
	// Name identifies the case; it is the config's name.
	Name string
	// Config is the embedded training config whose network (and, for
	// FusionDiff, sampler and its default step count K) is used.
	Config string
	// Method is the fusion method of the eval registry that runs it.
	Method string
}

// ModelCases lists the inference cases in a fixed order: the CPU-scale
// and the paper Siamese networks, and one FusionDiff sample with the
// CPU-scale network at its default K.
func ModelCases() []ModelCase {
	return []ModelCase{
		{Name: "siamese-cpu", Config: "siamese-cpu", Method: "siamese"},
		{Name: "siamese", Config: "siamese", Method: "siamese"},
		{Name: "fusiondiff-cpu", Config: "fusiondiff-cpu", Method: "fusiondiff"},
	}
}

// SelectModels returns the cases of ModelCases named in names, in the
// order of ModelCases; "all" or no names select every case.
func SelectModels(names []string) ([]ModelCase, error) {
	all := ModelCases()
	if len(names) == 0 || (len(names) == 1 && names[0] == "all") {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		found := false
		for _, c := range all {
			found = found || c.Name == n
		}
		if !found {
			known := make([]string, len(all))
			for i, c := range all {
				known[i] = c.Name
			}
			return nil, fmt.Errorf("unknown model case %q (known: %s, all)", n, strings.Join(known, ", "))
		}
		want[n] = true
	}
	var out []ModelCase
	for _, c := range all {
		if want[c.Name] {
			out = append(out, c)
		}
	}
	return out, nil
}

// FreshCheckpoint writes a model-only checkpoint of c's network with
// freshly initialised weights (seed) to path, loadable by c.Method's
// option model=path and by `mfif export`. Inference time and memory do
// not depend on the weights' values, so this stands in for a trained run.
// It returns the network's parameter count.
func FreshCheckpoint(c ModelCase, path string, seed int64) (params int64, err error) {
	err = backend.Run(func() error {
		var err error
		params, err = freshCheckpoint(c, path, seed)
		return err
	})
	return params, err
}

// freshCheckpoint is FreshCheckpoint on a locked thread.
func freshCheckpoint(c ModelCase, path string, seed int64) (int64, error) {
	switch c.Method {
	case "siamese":
		fc, err := siamese.LoadConfig(c.Config, map[string]any{"data.kind": "synth", "data.samples": 10})
		if err != nil {
			return 0, err
		}
		m, err := netsi.NewModel(fc.Model, seed)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", c.Name, err)
		}
		defer m.Close()
		if err := m.Save(path); err != nil {
			return 0, err
		}
		return backend.NumParams(m.VS), nil
	case "fusiondiff":
		cfg, err := fusiondiff.LoadConfig(c.Config, nil)
		if err != nil {
			return 0, err
		}
		backend.ManualSeed(seed)
		m, err := netfd.Build(cfg.Spec)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", c.Name, err)
		}
		defer m.Close()
		ck := checkpoint.New(netfd.Kind)
		if err := cfg.Spec.Put(ck); err != nil {
			return 0, err
		}
		if err := backend.SaveVars(ck, m.VS); err != nil {
			return 0, err
		}
		if err := ck.Save(path); err != nil {
			return 0, err
		}
		return backend.NumParams(m.VS), nil
	}
	return 0, fmt.Errorf("model case %s: method %q has no fresh checkpoint", c.Name, c.Method)
}
