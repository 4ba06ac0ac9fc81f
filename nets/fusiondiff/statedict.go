package fusiondiff

import (
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/sugarme/gotch/nn"
)

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
