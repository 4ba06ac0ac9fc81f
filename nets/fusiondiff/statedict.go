package fusiondiff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/pickle"
	"github.com/sugarme/gotch/ts"
)

// LoadStateDict copies a PyTorch state_dict file (torch.save of
// model.state_dict()) into vs. Every variable of vs must be present with the
// same shape and the file must hold no other parameters; the error lists the
// first differences.
func LoadStateDict(vs *nn.VarStore, path string) error {
	sd, err := pickle.Decode(path)
	if err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	defer func() {
		for _, t := range sd {
			t.MustDrop()
		}
	}()
	if err := ApplyStateDict(vs, sd); err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	return nil
}

// ApplyStateDict copies named tensors into the variables of vs, strictly:
// missing, unexpected or mis-shaped entries are an error.
func ApplyStateDict(vs *nn.VarStore, sd map[string]*ts.Tensor) error {
	vars := vs.Variables()
	var problems []string
	for name, v := range vars {
		src, ok := sd[name]
		if !ok {
			problems = append(problems, "missing "+name)
			continue
		}
		if a, b := v.MustSize(), src.MustSize(); fmt.Sprint(a) != fmt.Sprint(b) {
			problems = append(problems, fmt.Sprintf("%s: shape %v in file, %v in model", name, b, a))
		}
	}
	for name := range sd {
		if _, ok := vars[name]; !ok {
			problems = append(problems, "unexpected "+name)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 8 {
			problems = append(problems[:8], fmt.Sprintf("... and %d more", len(problems)-8))
		}
		return fmt.Errorf("state dict does not match model: %s", strings.Join(problems, "; "))
	}
	ts.NoGrad(func() {
		for name, v := range vars {
			src := sd[name].MustTotype(v.DType(), false)
			v.Copy_(src)
			src.MustDrop()
		}
	})
	return nil
}

// ParamShapes returns the name and shape of every variable of vs, sorted by
// name, in the form "name\t[d0, d1, ...]".
func ParamShapes(vs *nn.VarStore) []string {
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
	var n int64
	for _, v := range vs.Variables() {
		n += int64(v.Numel())
	}
	return n
}
