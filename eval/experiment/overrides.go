package experiment

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// declaredDatasets refuses an override (--set datasets.<name>.path=DIR)
// for a dataset the experiment file does not declare: a typo in the name
// would otherwise quietly add a dataset to every cell.
func declaredDatasets(b []byte, overrides map[string]any) error {
	var doc struct {
		Datasets map[string]any `yaml:"datasets"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil // the strict decode reports it
	}
	for _, k := range sortedKeys(overrides) {
		rest, ok := strings.CutPrefix(k, "datasets.")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, ".")
		if _, declared := doc.Datasets[name]; !declared {
			known := sortedKeys(doc.Datasets)
			return fmt.Errorf("--set %s: the experiment declares no dataset %q (declared: %s); add it to the file's datasets first",
				k, name, strings.Join(known, ", "))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
