package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/backend"
)

// addGlobalFlags registers the global flags whose values validateGlobals
// checks and applies: --max-pixels (data.MaxPixels). newRootCmd calls it on
// the root's persistent flags, so the value can also come from
// MFIF_MAX_PIXELS or a top-level max-pixels key of the --config file.
func addGlobalFlags(pf *pflag.FlagSet) {
	pf.Int("max-pixels", data.DefaultMaxPixels,
		"largest image accepted, in pixels (width x height, checked from the file header before decoding)")
}

// rangeRule checks the range of an integer setting.
type rangeRule struct {
	min  int
	hint string
}

// intRanges are the ranges of integer settings, by viper key.
var intRanges = map[string]rangeRule{
	"workers":      {0, "0 = all cores"},
	"threads":      {0, "0 = one per core"},
	"max-pixels":   {1, "pixels per image"},
	"fuse.repeats": {1, "1 = fuse once"},
}

// validateGlobals checks the global settings once configure has merged the
// flags, MFIF_* variables and the --config file: workers must be a whole
// number >= 0, quiet true or false, max-pixels a whole number >= 1; the
// error names the setting, the bad value and where it came from. It then
// applies max-pixels to data.MaxPixels (data.DefaultMaxPixels when unset).
func (a *app) validateGlobals() error {
	if _, err := a.checkInt("workers", "workers"); err != nil {
		return err
	}
	if n, err := a.checkInt("threads", "threads"); err != nil {
		return err
	} else if n > backend.MaxThreads() {
		return a.badValue("threads", "threads", a.v.Get("threads"),
			fmt.Sprintf("must be at most %d (4 per core on this machine)", backend.MaxThreads()))
	}
	if err := a.checkString("device", "device"); err != nil {
		return err
	}
	if _, err := a.checkBool("quiet", "quiet"); err != nil {
		return err
	}
	if err := a.checkString("config", "config"); err != nil {
		return err
	}
	data.MaxPixels = data.DefaultMaxPixels
	if a.v.Get("max-pixels") != nil {
		n, err := a.checkInt("max-pixels", "max-pixels")
		if err != nil {
			return err
		}
		data.MaxPixels = n
	}
	return nil
}

// validateCommand checks the type (and, for the settings in intRanges, the
// range) of every flag of cmd, whether it was set on the command line, by
// an MFIF_* variable or in the --config file, so "repeats: abc" or
// "skip-missing: maybe" fail instead of silently becoming 0 or false.
func (a *app) validateCommand(cmd *cobra.Command) error {
	var first error
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if first != nil || f.Name == "help" {
			return
		}
		key := cmd.Name() + "." + f.Name
		var err error
		switch f.Value.Type() {
		case "int", "int64", "int32":
			_, err = a.checkInt(key, f.Name)
		case "bool":
			_, err = a.checkBool(key, f.Name)
		case "float64", "float32":
			err = a.checkFloat(key, f.Name)
		case "duration":
			err = a.checkDuration(key, f.Name)
		case "stringSlice", "stringArray":
			err = a.checkList(key, f.Name)
		case "string":
			err = a.checkString(key, f.Name)
		}
		first = err
	})
	return first
}

// badValue is the error for a setting whose value has the wrong type or
// range.
func (a *app) badValue(key, flag string, v any, want string) error {
	return fmt.Errorf("%s = %s (from %s): %s", flag, quoteValue(v), a.origin(key, flag, v), want)
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v", v)
}

// envName is the MFIF_* variable of a viper key.
func envName(key string) string {
	return "MFIF_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
}

// origin names where the effective value v of key came from. Viper ranks a
// flag set on the command line first, then the variable, then the config
// file; the variable and the file are recognised by holding v.
func (a *app) origin(key, flag string, v any) string {
	env := envName(key)
	if s, ok := os.LookupEnv(env); ok && s == fmt.Sprint(v) {
		return env
	}
	if a.v.InConfig(key) {
		if path := a.v.GetString("config"); path != "" {
			return "the config file " + path
		}
		return "the config file " + os.Getenv("MFIF_CONFIG")
	}
	return "--" + flag
}

// checkInt reads key as a whole number (an int, an integral float, or
// decimal text) within its range in intRanges.
func (a *app) checkInt(key, flag string) (int, error) {
	v := a.v.Get(key)
	if v == nil {
		return 0, nil
	}
	n, ok := toInt(v)
	if !ok {
		return 0, a.badValue(key, flag, v, "not a whole number")
	}
	if r, has := intRanges[key]; has && n < r.min {
		return 0, a.badValue(key, flag, v, fmt.Sprintf("must be at least %d (%s)", r.min, r.hint))
	}
	return n, nil
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), x == int64(int(x))
	case int32:
		return int(x), true
	case uint64:
		return int(x), x <= math.MaxInt
	case float64:
		return int(x), x == math.Trunc(x) && math.Abs(x) < 1<<53
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// checkBool reads key as true or false (also "1", "t", "false", ... in
// text, as environment variables give it; not a number).
func (a *app) checkBool(key, flag string) (bool, error) {
	switch x := a.v.Get(key).(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b, nil
		}
	}
	return false, a.badValue(key, flag, a.v.Get(key), "not true or false")
}

func (a *app) checkFloat(key, flag string) error {
	switch x := a.v.Get(key).(type) {
	case nil, float64, float32, int, int64:
		return nil
	case string:
		if _, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return nil
		}
	}
	return a.badValue(key, flag, a.v.Get(key), "not a number")
}

func (a *app) checkDuration(key, flag string) error {
	switch x := a.v.Get(key).(type) {
	case nil, time.Duration:
		return nil
	case string:
		if _, err := time.ParseDuration(strings.TrimSpace(x)); err == nil {
			return nil
		}
	}
	return a.badValue(key, flag, a.v.Get(key), "not a duration such as 500ms or 2s")
}

// checkString accepts a scalar (YAML may give a number or a boolean for a
// name or a path) but not a list or a section.
func (a *app) checkString(key, flag string) error {
	switch v := a.v.Get(key).(type) {
	case nil, string, int, int64, float64, bool:
		return nil
	default:
		return a.badValue(key, flag, v, "not a single value (a list or a section was given)")
	}
}

// checkList accepts text (comma separated) or a list of scalars; the
// --opt list of fuse may also be a section of options.
func (a *app) checkList(key, flag string) error {
	switch v := a.v.Get(key).(type) {
	case nil, string, []string:
		return nil
	case map[string]any:
		if key == "fuse.opt" {
			return nil
		}
		return a.badValue(key, flag, v, "not a list")
	case []any:
		for _, e := range v {
			switch e.(type) {
			case string, int, int64, float64, bool:
			default:
				return a.badValue(key, flag, v, "a list of single values is needed")
			}
		}
		return nil
	default:
		return a.badValue(key, flag, v, "not a list")
	}
}

// validate runs validateGlobals and validateCommand for cmd; the commands
// defined in this package call it first (root.go's PersistentPreRunE may
// call both for every command, which is harmless).
func (a *app) validate(cmd *cobra.Command) error {
	if err := a.validateGlobals(); err != nil {
		return err
	}
	return a.validateCommand(cmd)
}
