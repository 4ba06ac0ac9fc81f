package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestFitRestartsRunWithoutCheckpoint: a folder holding only the logs and
// config of a run that stopped before its first checkpoint is started over
// without --force (the files are replaced), while one with a checkpoint is
// still refused (TestFitFolderRules).
func TestFitRestartsRunWithoutCheckpoint(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{ConfigName, LogName} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("from the failed run\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Fit(context.Background(), toyTrainer(t, dir, newToyTask(t, 3, 20), toyLoop()), false, false); err != nil {
		t.Fatalf("plain rerun after a run without checkpoint: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, LastName)); err != nil {
		t.Errorf("no checkpoint after the restart: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ConfigName)); string(b) == "from the failed run\n" {
		t.Error("config.yaml of the failed run was kept")
	}
}
