// Package tfevents writes TensorBoard event files of scalar summaries, so
// that `tensorboard --logdir RUNS` draws the curves of a training run.
//
// A file, events.out.tfevents.<unix seconds>.<hostname>, is a sequence of
// TFRecord records: the data length as a little-endian uint64, the masked
// CRC-32C of those 8 bytes as a uint32, the data, and the masked CRC-32C of
// the data. The mask is ((crc >> 15) | (crc << 17)) + 0xa282ead8. Each
// record holds one serialised tensorflow.Event protocol buffer; the first
// carries file_version "brain.Event:2", each later one a Summary with one
// scalar (tag, simple_value). The messages are encoded field by field with
// protowire; the field numbers are those of TensorFlow's event.proto (Event:
// wall_time 1, step 2, file_version 3, summary 5) and summary.proto
// (Summary: value 1; Summary.Value: tag 1, simple_value 2). TensorBoard
// stores scalars as float32, so values are rounded to float32.
package tfevents

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// FileVersion is the file_version of the first event of every file.
const FileVersion = "brain.Event:2"

// Field numbers of TensorFlow's Event, Summary and Summary.Value messages.
const (
	eventWallTime    protowire.Number = 1
	eventStep        protowire.Number = 2
	eventFileVersion protowire.Number = 3
	eventSummary     protowire.Number = 5
	summaryValue     protowire.Number = 1
	valueTag         protowire.Number = 1
	valueSimple      protowire.Number = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MaskedCRC returns the masked CRC-32C (Castagnoli) of b that TFRecord
// framing stores.
func MaskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// Writer appends events to one event file. Its methods may be called from
// several goroutines.
type Writer struct {
	mu     sync.Mutex
	buf    *bufio.Writer
	closer io.Closer // nil for a Writer made by NewWriter
	path   string
	err    error // first write error; later calls return it
	closed bool
}

// FileName returns the name of the event file started at t on host:
// events.out.tfevents.<unix seconds, 10 digits>.<host>.
func FileName(t time.Time, host string) string {
	return fmt.Sprintf("events.out.tfevents.%010d.%s", t.Unix(), host)
}

// Create starts a new event file in dir (created if needed), named by
// FileName with the current time and the host name. If a file of that name
// exists (two writers started in the same second) a ".1", ".2"... suffix is
// added, so a file is never overwritten.
func Create(dir string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tfevents: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	now := time.Now()
	base := filepath.Join(dir, FileName(now, host))
	path := base
	var f *os.File
	for i := 1; ; i++ {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || i > 100 {
			return nil, fmt.Errorf("tfevents: %w", err)
		}
		path = fmt.Sprintf("%s.%d", base, i)
	}
	w := newWriter(f, now)
	w.closer, w.path = f, path
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// NewWriter starts an event stream on w: it writes the file_version event
// stamped with wall (buffered; see Flush). Close does not close w.
func NewWriter(w io.Writer, wall time.Time) *Writer {
	return newWriter(w, wall)
}

func newWriter(w io.Writer, wall time.Time) *Writer {
	tw := &Writer{buf: bufio.NewWriter(w)}
	ev := appendHeader(nil, 0, wall)
	ev = protowire.AppendTag(ev, eventFileVersion, protowire.BytesType)
	ev = protowire.AppendString(ev, FileVersion)
	tw.record(ev)
	return tw
}

// Path returns the file a Writer made by Create writes ("" otherwise).
func (w *Writer) Path() string { return w.path }

// Scalars writes one event per value, all at step and wall time wall, in
// the order of their tags, and flushes them, so a TensorBoard watching the
// folder sees the whole batch. A value that is NaN or infinite is written
// as it is (TensorBoard shows the gap).
func (w *Writer) Scalars(step int64, wall time.Time, values map[string]float64) error {
	tags := make([]string, 0, len(values))
	for t := range values {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	for _, tag := range tags {
		w.record(scalarEvent(step, wall, tag, values[tag]))
	}
	return w.flush()
}

// Scalar writes and flushes one value; it is Scalars with one tag.
func (w *Writer) Scalar(tag string, step int64, wall time.Time, v float64) error {
	return w.Scalars(step, wall, map[string]float64{tag: v})
}

// Flush writes buffered events to the underlying writer.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	return w.flush()
}

// Close flushes and, for a Writer made by Create, closes the file. Closing
// again does nothing and returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.flush()
	if w.closer != nil {
		if cerr := w.closer.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("tfevents: close %s: %w", w.path, cerr)
		}
	}
	return err
}

func (w *Writer) usable() error {
	if w.closed {
		return errors.New("tfevents: writer is closed")
	}
	return w.err
}

func (w *Writer) flush() error {
	if w.err == nil {
		if err := w.buf.Flush(); err != nil {
			w.err = fmt.Errorf("tfevents: write %s: %w", w.path, err)
		}
	}
	return w.err
}

// record frames data as one TFRecord into the buffer. Write errors are
// kept by the bufio.Writer and reported by the next flush.
func (w *Writer) record(data []byte) {
	var hdr [12]byte
	binary.LittleEndian.PutUint64(hdr[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(hdr[8:], MaskedCRC(hdr[:8]))
	var foot [4]byte
	binary.LittleEndian.PutUint32(foot[:], MaskedCRC(data))
	w.buf.Write(hdr[:])
	w.buf.Write(data)
	w.buf.Write(foot[:])
}

// appendHeader appends the wall_time and step fields of an Event.
func appendHeader(b []byte, step int64, wall time.Time) []byte {
	b = protowire.AppendTag(b, eventWallTime, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, math.Float64bits(float64(wall.UnixNano())/1e9))
	if step != 0 {
		b = protowire.AppendTag(b, eventStep, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(step))
	}
	return b
}

// scalarEvent encodes an Event holding a Summary of one simple value.
func scalarEvent(step int64, wall time.Time, tag string, v float64) []byte {
	var val []byte
	val = protowire.AppendTag(val, valueTag, protowire.BytesType)
	val = protowire.AppendString(val, tag)
	val = protowire.AppendTag(val, valueSimple, protowire.Fixed32Type)
	val = protowire.AppendFixed32(val, math.Float32bits(float32(v)))
	var sum []byte
	sum = protowire.AppendTag(sum, summaryValue, protowire.BytesType)
	sum = protowire.AppendBytes(sum, val)
	ev := appendHeader(nil, step, wall)
	ev = protowire.AppendTag(ev, eventSummary, protowire.BytesType)
	return protowire.AppendBytes(ev, sum)
}
