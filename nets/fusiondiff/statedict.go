package fusiondiff

import (
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/sugarme/gotch/nn"

	"github.com/mfif/mfif/nets/backend"
)

// LoadStateDict copies a PyTorch state_dict file (torch.save of
// model.state_dict()) into vs, strictly: every variable of vs must be
// present with the same shape and the file may hold nothing else (the
// error lists the differences).
func LoadStateDict(vs *nn.VarStore, path string) error {
	sd, err := backend.LoadStateDict(path)
	if err != nil {
		return err
	}
	defer func() {
		for _, t := range sd {
			t.MustDrop()
		}
	}()
	if err := backend.ApplyStateDict(vs, sd, true); err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	return nil
}

// ParamShapes returns the name and shape of every variable of vs, sorted by
// name, in the form "name\t[d0, d1, ...]".
func ParamShapes(vs *nn.VarStore) []string {
	defer runtime.KeepAlive(vs) // Variables returns copies of its handles
	var out []string
	for name, v := range vs.Variables() {
		dims := v.MustSize()
		s := make([]string, len(dims))
		for i, d := range dims {
			s[i] = fmt.Sprint(d)
		}
		out = append(out, name+"\t["+strings.Join(s, ", ")+"]")
	}
	sort.Strings(out)
	return out
}

// NumParams returns the number of scalar parameters in vs.
func NumParams(vs *nn.VarStore) int64 {
	defer runtime.KeepAlive(vs) // Variables returns copies of its handles
	var n int64
	for _, v := range vs.Variables() {
		n += int64(v.Numel())
	}
	return n
}
