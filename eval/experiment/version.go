package experiment

import "runtime/debug"

// Version is bumped when a change to the runner alters what a cell
// produces; together with the VCS revision it forms CodeVersion.
const Version = "1"

// CodeVersion identifies the code that produces results: Version plus the
// VCS revision stamped into the binary (with "+dirty" for a modified
// tree). Binaries built without VCS stamping (go test, go run) give
// Version alone. It is part of every cell's content key.
func CodeVersion() string {
	v := "experiment-v" + Version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return v
	}
	return v + "@" + rev + dirty
}
