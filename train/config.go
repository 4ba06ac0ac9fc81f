package train

import (
	"fmt"

	"github.com/mfif/mfif/configs"
)

// validating is a trainer configuration that checks itself.
type validating[C any] interface {
	*C
	Validate() error
}

// LoadConfig reads an embedded config name or a YAML path with dotted-key
// overrides into a C (strictly: unknown keys are errors) and validates it.
// Trainers call it as train.LoadConfig[Config](name, overrides).
func LoadConfig[C any, P validating[C]](nameOrPath string, overrides map[string]any) (*C, error) {
	var c C
	if err := configs.Load(nameOrPath, overrides, &c); err != nil {
		return nil, err
	}
	if err := P(&c).Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", nameOrPath, err)
	}
	return &c, nil
}

// ParseConfig decodes and validates a YAML document, e.g. the resolved
// configuration stored in a checkpoint.
func ParseConfig[C any, P validating[C]](doc string) (*C, error) {
	var c C
	if err := configs.Decode([]byte(doc), nil, &c); err != nil {
		return nil, err
	}
	if err := P(&c).Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}
