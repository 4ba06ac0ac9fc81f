package checkpoint

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testState is a JSON state with a float that needs all 17 digits.
type testState struct {
	Patience  int     `json:"patience"`
	HasBest   bool    `json:"has_best"`
	Best      float64 `json:"best"`
	BestEpoch int     `json:"best_epoch"`
}

func sampleCheckpoint(t *testing.T) *Checkpoint {
	t.Helper()
	c := New("toy")
	c.Epoch, c.Iteration, c.Config = 3, 120, "train:\n  lr: 0.0005\n"
	c.Tensors["model/w"] = Float32Array([]float32{1.5, -0, float32(math.Inf(1)), math.Float32frombits(0x7fc00001), 1e-45}, 5)
	c.Tensors["model/b"] = Float32Array([]float32{0.1}, 1)
	c.Tensors["optim/exp_avg/w"] = Float32Array(make([]float32, 6), 2, 3)
	c.Tensors["empty"] = Array{DType: Float64, Shape: []int64{0}, Data: []byte{}}
	if err := c.PutState("rng", []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := c.PutState("early_stop", testState{Patience: 6, HasBest: true, Best: 0.1 + 0.2, BestEpoch: 2}); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckpointRoundTrip(t *testing.T) {
	c := sampleCheckpoint(t)
	path := filepath.Join(t.TempDir(), "c.ckpt")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	d, err := Load(path, "toy")
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != "toy" || d.Epoch != 3 || d.Iteration != 120 || d.Config != c.Config || d.Created == "" {
		t.Errorf("header mismatch: %+v", d)
	}
	if len(d.Tensors) != len(c.Tensors) {
		t.Fatalf("%d tensors, want %d", len(d.Tensors), len(c.Tensors))
	}
	for k, a := range c.Tensors {
		if !a.Equal(d.Tensors[k]) {
			t.Errorf("tensor %s differs: %+v vs %+v", k, a, d.Tensors[k])
		}
	}
	var e testState
	if err := d.State("early_stop", &e); err != nil || e.Best != 0.1+0.2 || e.Patience != 6 {
		t.Errorf("state: %+v %v", e, err)
	}
	var rng []byte
	if err := d.State("rng", &rng); err != nil || string(rng) != "\x01\x02\x03" {
		t.Errorf("rng state %v %v", rng, err)
	}
	if err := d.State("nope", &e); err == nil {
		t.Error("missing state accepted")
	}
	if got := d.WithPrefix("model/"); len(got) != 2 || !got["w"].Equal(c.Tensors["model/w"]) {
		t.Errorf("WithPrefix: %v", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

func TestCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ckpt")
	if err := sampleCheckpoint(t).Save(good); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flip := func(i int) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= 0x10
		return c
	}
	version := append([]byte(nil), b...)
	version[8] = 9
	tests := []struct {
		name, path, kind, want string
	}{
		{"missing", filepath.Join(dir, "nope.ckpt"), "", "no such file"},
		{"empty", write("empty.ckpt", nil), "", "truncated"},
		{"short magic", write("short.ckpt", b[:5]), "", "truncated"},
		{"prefix only", write("prefix.ckpt", b[:prefixSize]), "", "truncated"},
		{"half", write("half.ckpt", b[:len(b)/2]), "", "truncated"},
		{"no crc", write("nocrc.ckpt", b[:len(b)-1]), "", "truncated"},
		{"trailing", write("trail.ckpt", append(append([]byte(nil), b...), 0)), "", "corrupt"},
		{"not ckpt", write("png.ckpt", []byte("\x89PNG\r\n\x1a\n....................")), "", "bad magic"},
		{"version", write("version.ckpt", version), "", "version 9"},
		{"data bit", write("bit.ckpt", flip(len(b)-10)), "", "checksum"},
		{"header bit", write("hdr.ckpt", flip(prefixSize+3)), "", "corrupt"},
		{"kind", good, "siamese", "another model kind"},
	}
	for _, tt := range tests {
		_, err := Load(tt.path, tt.kind)
		if err == nil {
			t.Errorf("%s: loaded without error", tt.name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tt.want) || !strings.Contains(msg, tt.path) {
			t.Errorf("%s: error %q should name %s and mention %q", tt.name, msg, tt.path, tt.want)
		}
	}
	if _, err := Load(good, "siamese"); !errors.Is(err, ErrKind) {
		t.Errorf("wrong kind error does not wrap ErrKind: %v", err)
	}
}

func TestCheckpointSaveRejectsBadArray(t *testing.T) {
	c := New("toy")
	c.Tensors["x"] = Array{DType: Float32, Shape: []int64{3}, Data: make([]byte, 8)}
	path := filepath.Join(t.TempDir(), "bad.ckpt")
	if err := c.Save(path); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("error %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a file was written for an invalid checkpoint")
	}
}

func TestMatchShapes(t *testing.T) {
	want := map[string][]int64{"a": {2, 3}, "b": {4}, "n": {}}
	tests := []struct {
		name string
		have map[string][]int64
		errs []string
	}{
		{"equal", map[string][]int64{"a": {2, 3}, "b": {4}, "n": {1}}, nil},
		{"shape", map[string][]int64{"a": {3, 2}, "b": {4}, "n": {}}, []string{"shape mismatch: a: stored [3 2], model [2 3]"}},
		{"missing and extra", map[string][]int64{"a": {2, 3}, "n": {}, "c": {1}}, []string{"missing: b", "unexpected: c"}},
	}
	for _, tc := range tests {
		err := MatchShapes(want, tc.have)
		if (err == nil) != (len(tc.errs) == 0) {
			t.Errorf("%s: err = %v", tc.name, err)
			continue
		}
		for _, e := range tc.errs {
			if !strings.Contains(err.Error(), e) {
				t.Errorf("%s: %v lacks %q", tc.name, err, e)
			}
		}
	}
}
