package checkpoint

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary bytes (seeded with valid files and damaged
// variants) to Decode: it must return a checkpoint or an error, never panic
// or allocate beyond the input's size, and whatever it accepts must encode
// back to a file it accepts again.
func FuzzDecode(f *testing.F) {
	c := New("toy")
	c.Epoch, c.Iteration, c.Config = 2, 40, "train:\n  lr: 0.001\n"
	c.Tensors["model/w"] = Float32Array([]float32{1, 2, 3, 4}, 2, 2)
	if err := c.PutState("trainer", map[string]int{"epoch": 2}); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := c.encode(&buf); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("MFIFCKPT"))
	f.Add([]byte("not a checkpoint"))
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0xff
	f.Add(flipped)
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := got.encode(&out); err != nil {
			t.Fatalf("accepted checkpoint does not encode: %v", err)
		}
		if _, err := Decode(out.Bytes()); err != nil {
			t.Fatalf("re-encoded checkpoint rejected: %v", err)
		}
	})
}
