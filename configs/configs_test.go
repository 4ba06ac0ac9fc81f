package configs

import (
	"strings"
	"testing"
)

type sample struct {
	Name  string `yaml:"name"`
	Train struct {
		LR     float64 `yaml:"lr"`
		Epochs int     `yaml:"epochs"`
	} `yaml:"train"`
}

func TestDecode(t *testing.T) {
	doc := []byte("name: a\ntrain:\n  lr: 0.1\n  epochs: 3\n")
	tests := []struct {
		name      string
		doc       []byte
		overrides map[string]any
		wantErr   string
		wantLR    float64
		wantEp    int
	}{
		{name: "plain", doc: doc, wantLR: 0.1, wantEp: 3},
		{name: "override", doc: doc, overrides: map[string]any{"train.epochs": 7}, wantLR: 0.1, wantEp: 7},
		{name: "unknown key in file", doc: []byte("name: a\ntrian:\n  lr: 1\n"), wantErr: "trian"},
		{name: "unknown override", doc: doc, overrides: map[string]any{"train.lrr": 1}, wantErr: "lrr"},
		{name: "override through scalar", doc: doc, overrides: map[string]any{"name.x": 1}, wantErr: "not a section"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s sample
			err := Decode(tc.doc, tc.overrides, &s)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want mention of %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Train.LR != tc.wantLR || s.Train.Epochs != tc.wantEp {
				t.Fatalf("got lr %v epochs %v", s.Train.LR, s.Train.Epochs)
			}
		})
	}
}

func TestReadUnknownName(t *testing.T) {
	if _, err := Read("no-such-config"); err == nil || !strings.Contains(err.Error(), "no-such-config") {
		t.Fatalf("err = %v", err)
	}
}
