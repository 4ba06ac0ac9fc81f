package experiment

import "runtime/debug"

// Version is bumped when a change to the runner or to the methods alters
// what a cell produces. It is the code part of every cell's content key
// by default; a VCS revision would invalidate every finished cell at each
// unrelated commit, so the revision is recorded (RunInfo.Revision) rather
// than hashed unless Runner.Version is set to CodeVersion().
const Version = "1"

// CodeVersion is Version plus the VCS revision stamped into the binary
// (with "+dirty" for a modified tree); binaries built without VCS stamping
// (go test, go run) give Version alone.
func CodeVersion() string {
	v := "experiment-v" + Version
	if rev := Revision(); rev != "" {
		return v + "@" + rev
	}
	return v
}

// Revision is the VCS revision the binary was built from ("" if unknown),
// with "+dirty" for a modified tree.
func Revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
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
		return ""
	}
	return rev + dirty
}
