package pipeline

import (
	"fmt"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
)

// MaxNameBytes is the longest file name the common file systems (ext4,
// XFS, Btrfs, APFS, NTFS in bytes of UTF-8 for ASCII names) accept.
const MaxNameBytes = 255

// CheckNames reports the first pair whose longest output file name
// (MethodMapName when the method writes maps, else FusedName) would be
// longer than MaxNameBytes, before anything is written, so a long pair name
// never fails half-way through a folder.
func CheckNames(pairs []data.Pair, method string) error {
	info, err := eval.Lookup(method)
	hasMap := err == nil && info.HasMap
	for _, p := range pairs {
		n := FusedName(p.Name, method)
		if hasMap {
			n = MethodMapName(p.Name, method)
		}
		if len(n) > MaxNameBytes {
			return fmt.Errorf("pair %q: its output file %s would be %d bytes long, over the file system limit of %d: shorten the pair's file names by %d bytes",
				p.Name, n, len(n), MaxNameBytes, len(n)-MaxNameBytes)
		}
	}
	return nil
}
