package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAcquireSecondWriterFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	unlock, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file, so a second Acquire in the same
	// process conflicts like one from another process.
	_, err = Acquire(dir)
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrHeld) {
		t.Fatalf("second Acquire: %v, want a *HeldError", err)
	}
	if want := fmt.Sprintf("pid %d: ", os.Getpid()); !strings.HasPrefix(he.Holder, want) || !strings.Contains(he.Holder, "(started ") {
		t.Errorf("holder %q, want it to start with %q and give the start time", he.Holder, want)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the folder", err)
	}
	unlock()
	unlock2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after unlock: %v", err)
	}
	unlock2()
}

func TestAcquireCleansCreatedEmptyFolder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing bool // the folder exists before Acquire
		write    bool // the holder writes a file
		kept     bool // the folder is there after unlock
	}{
		{"created, nothing written", false, false, false},
		{"created, written", false, true, true},
		{"existing, nothing written", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			if tc.existing {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			unlock, err := Acquire(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tc.write {
				if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			unlock()
			if _, err := os.Stat(dir); (err == nil) != tc.kept {
				t.Errorf("folder kept = %v, want %v", err == nil, tc.kept)
			}
		})
	}
}

func TestWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := Wait(path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		u, err := Wait(path)
		if err == nil {
			u()
		}
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("second Wait returned while the lock was held")
	default:
	}
	unlock()
	<-done
}
