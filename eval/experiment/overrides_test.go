package experiment

import (
	"strings"
	"testing"
)

// TestSetUndeclaredDataset: --set datasets.<name>.path for a name the file
// does not declare is an error naming it, not a new dataset.
func TestSetUndeclaredDataset(t *testing.T) {
	doc := "name: x\ndatasets:\n  lytro: {}\nmethods: [{name: average}]\n"
	for _, tc := range []struct {
		set  map[string]any
		want string // "" = accepted
	}{
		{map[string]any{"datasets.lytro.path": "/d"}, ""},
		{map[string]any{"datasets.lytro.path": "/d", "datasets.lytor.path": "/e"}, `declares no dataset "lytor" (declared: lytro)`},
	} {
		_, err := Parse([]byte(doc), tc.set)
		if tc.want == "" && err != nil {
			t.Errorf("%v: %v", tc.set, err)
		}
		if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.set, err, tc.want)
		}
	}
}
