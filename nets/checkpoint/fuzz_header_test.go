package checkpoint

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// frame wraps a header and a data section in a file image with a valid
// prefix and checksum, so the fuzzer reaches the header's meaning instead
// of stopping at the checksum.
func frame(hb, data []byte) []byte {
	var b bytes.Buffer
	var pre [prefixSize]byte
	copy(pre[:], magic)
	binary.LittleEndian.PutUint32(pre[8:], FormatVersion)
	binary.LittleEndian.PutUint64(pre[12:], uint64(len(hb)))
	b.Write(pre[:])
	b.Write(hb)
	b.Write(data)
	_ = binary.Write(&b, binary.LittleEndian, crc32.Checksum(b.Bytes(), castagnoli))
	return b.Bytes()
}

// FuzzHeader feeds checksum-valid files with an arbitrary JSON header and
// data section to Decode: shapes, offsets, lengths, dtypes and states that
// disagree with each other or with the data must be errors, never a panic
// or an allocation beyond the input; an accepted file re-encodes to one
// that is accepted again.
func FuzzHeader(f *testing.F) {
	f.Add([]byte(`{"format":1,"kind":"siamese","tensors":[{"name":"w","dtype":"float32","shape":[2,2],"offset":0,"length":16}],"data_bytes":16}`), make([]byte, 16))
	f.Add([]byte(`{"format":1,"kind":"siamese","states":{"model_config":{"width":512,"levels":6}},"tensors":[],"data_bytes":0}`), []byte{})
	f.Add([]byte(`{"tensors":[{"name":"w","dtype":"float32","shape":[4611686018427387904,4],"offset":0,"length":16}],"data_bytes":16}`), make([]byte, 16))
	f.Add([]byte(`{"tensors":[{"name":"w","dtype":"float32","shape":[-1],"offset":-4,"length":4}],"data_bytes":4}`), make([]byte, 4))
	f.Add([]byte(`{"tensors":[{"name":"w","dtype":"int64","shape":[],"offset":0,"length":8},{"name":"w","dtype":"int64","shape":[],"offset":0,"length":8}],"data_bytes":8}`), make([]byte, 8))
	f.Fuzz(func(t *testing.T, hb, data []byte) {
		c, err := Decode(frame(hb, data))
		if err != nil {
			return
		}
		for name, a := range c.Tensors {
			if a.Numel()*a.DType.Size() != len(a.Data) {
				t.Fatalf("accepted tensor %q: shape %v of %s does not match its %d bytes", name, a.Shape, a.DType, len(a.Data))
			}
		}
		var out bytes.Buffer
		if err := c.encode(&out); err != nil {
			t.Fatalf("accepted checkpoint does not encode: %v", err)
		}
		if _, err := Decode(out.Bytes()); err != nil {
			t.Fatalf("re-encoded checkpoint rejected: %v", err)
		}
	})
}
