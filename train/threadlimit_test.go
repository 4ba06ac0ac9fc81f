package train

import (
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/backend"
)

// TestLoopThreadsBounded: train.threads over backend.MaxThreads is refused
// with its key before anything starts.
func TestLoopThreadsBounded(t *testing.T) {
	for _, tc := range []struct {
		threads int
		ok      bool
	}{{0, true}, {backend.MaxThreads(), true}, {backend.MaxThreads() + 1, false}, {100000, false}} {
		c := toyLoop()
		c.Threads = tc.threads
		err := c.Validate()
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), "train.threads")) {
			t.Errorf("train.threads = %d: %v, want ok = %v", tc.threads, err, tc.ok)
		}
	}
}
