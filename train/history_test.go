package train

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHistoryCSVAndPlots(t *testing.T) {
	var h History
	tenth := 0.1
	h.Add(EpochRecord{Epoch: 1, Iteration: 10, LR: 5e-4, TrainLoss: 0.9, HasVal: true, ValLoss: 0.8,
		Metrics: map[string]float64{"accuracy": 0.75}, Seconds: 1.25})
	h.Add(EpochRecord{Epoch: 2, Iteration: 20, LR: 4.4e-4, TrainLoss: tenth + 0.2, Seconds: 1})
	var buf bytes.Buffer
	if err := h.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	want := "epoch,iteration,lr,train_loss,val_loss,val_accuracy\n" +
		"1,10,0.0005,0.9,0.8,0.75\n" +
		"2,20,0.00044,0.30000000000000004,,\n"
	if buf.String() != want {
		t.Errorf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}
	dir := t.TempDir()
	png, svg := filepath.Join(dir, "loss.png"), filepath.Join(dir, "loss.svg")
	if err := h.SavePlots("toy", png, svg); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("png: %v, %d bytes", err, len(b))
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("svg: %v", err)
	}
	var empty History
	if err := empty.SavePlots("x", filepath.Join(dir, "e.png")); err == nil {
		t.Error("empty history plotted")
	}
	if err := h.SavePlots("x", filepath.Join(dir, "e.unknownfmt")); err == nil {
		t.Error("unknown format accepted")
	}
}
