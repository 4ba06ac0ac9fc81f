package siamese

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"sort"
)

// fileMagic starts every checkpoint written by WriteTensorFile.
const fileMagic = "MFIF-TENSORS-1\n"

// Blob is one named float32 array read from a tensor file.
type Blob struct {
	Shape []int64
	Data  []float32
}

// WriteTensorFile writes meta (any JSON document) and the named blobs to
// path atomically (temp file in the same directory, then rename). The
// layout is: magic, uint32 meta length, meta, uint32 count, then per blob
// name length+name, rank, int64 dims, float32 data (little endian), and a
// trailing CRC-32 (IEEE) of everything before it, so truncation and bit
// rot are detected on load.
func WriteTensorFile(path string, meta json.RawMessage, blobs map[string]Blob) error {
	var buf bytes.Buffer
	buf.WriteString(fileMagic)
	le := binary.LittleEndian
	put := func(v any) { _ = binary.Write(&buf, le, v) }
	put(uint32(len(meta)))
	buf.Write(meta)
	names := make([]string, 0, len(blobs))
	for k := range blobs {
		names = append(names, k)
	}
	sort.Strings(names)
	put(uint32(len(names)))
	for _, name := range names {
		b := blobs[name]
		n := int64(1)
		for _, d := range b.Shape {
			n *= d
		}
		if n != int64(len(b.Data)) {
			return fmt.Errorf("write %s: tensor %q has shape %v but %d values", path, name, b.Shape, len(b.Data))
		}
		put(uint32(len(name)))
		buf.WriteString(name)
		put(uint32(len(b.Shape)))
		put(b.Shape)
		put(b.Data)
	}
	put(crc32.ChecksumIEEE(buf.Bytes()))
	return writeAtomic(path, buf.Bytes())
}

func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(b)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadTensorFile reads a file written by WriteTensorFile. A missing file,
// a foreign file, truncation or a checksum mismatch is an error naming path.
func ReadTensorFile(path string) (json.RawMessage, map[string]Blob, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	bad := func(why string, a ...any) error {
		return fmt.Errorf("checkpoint %s: corrupt or not an mfif checkpoint: %s", path, fmt.Sprintf(why, a...))
	}
	if len(raw) < len(fileMagic)+4 || string(raw[:len(fileMagic)]) != fileMagic {
		return nil, nil, bad("bad header")
	}
	body, sum := raw[:len(raw)-4], binary.LittleEndian.Uint32(raw[len(raw)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, nil, bad("checksum mismatch (truncated or damaged file)")
	}
	r := &reader{b: body[len(fileMagic):]}
	meta := json.RawMessage(r.bytes(int(r.u32())))
	count := int(r.u32())
	blobs := make(map[string]Blob, count)
	for i := 0; i < count && r.err == nil; i++ {
		name := string(r.bytes(int(r.u32())))
		rank := int(r.u32())
		if rank > 8 {
			return nil, nil, bad("tensor %q has rank %d", name, rank)
		}
		shape := make([]int64, rank)
		n := int64(1)
		for j := range shape {
			shape[j] = int64(r.u64())
			if shape[j] < 0 || shape[j] > 1<<31 || n*max(shape[j], 1) > 1<<40 {
				return nil, nil, bad("tensor %q has dim %d", name, shape[j])
			}
			n *= shape[j]
		}
		if n > int64(len(r.b))/4 {
			return nil, nil, bad("tensor %q (%v) is longer than the file", name, shape)
		}
		data := r.bytes(int(4 * n))
		vals := make([]float32, n)
		for j := range vals {
			if r.err == nil {
				vals[j] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*j:]))
			}
		}
		blobs[name] = Blob{Shape: shape, Data: vals}
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, nil, bad("inconsistent layout")
	}
	return meta, blobs, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errors.New("short")
		return make([]byte, min(max(n, 0), 8))
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.bytes(4)) }
func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.bytes(8)) }
