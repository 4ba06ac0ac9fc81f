package tfevents

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// event is the part of tensorflow.Event the reader below decodes.
type event struct {
	wall    float64
	step    int64
	version string
	values  []scalar
}

type scalar struct {
	tag string
	v   float32
}

func unmask(m uint32) uint32 {
	c := m - 0xa282ead8
	return (c >> 17) | (c << 15)
}

// readRecords splits a TFRecord stream, checking both CRCs of each record.
func readRecords(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 12 {
			return nil, fmt.Errorf("truncated header (%d bytes)", len(b))
		}
		n := binary.LittleEndian.Uint64(b[:8])
		if got, want := binary.LittleEndian.Uint32(b[8:12]), MaskedCRC(b[:8]); got != want {
			return nil, fmt.Errorf("record %d: length CRC %08x, want %08x", len(out), got, want)
		}
		b = b[12:]
		if uint64(len(b)) < n+4 {
			return nil, fmt.Errorf("record %d: truncated data", len(out))
		}
		data := b[:n]
		if got, want := binary.LittleEndian.Uint32(b[n:n+4]), MaskedCRC(data); got != want {
			return nil, fmt.Errorf("record %d: data CRC %08x, want %08x", len(out), got, want)
		}
		out = append(out, data)
		b = b[n+4:]
	}
	return out, nil
}

// fields calls f for each field of a message, failing on malformed input.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return protowire.ParseError(m)
		}
		if err := f(num, typ, b[:m]); err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

func decodeEvent(b []byte) (event, error) {
	var ev event
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch {
		case num == 1 && typ == protowire.Fixed64Type:
			x, _ := protowire.ConsumeFixed64(v)
			ev.wall = math.Float64frombits(x)
		case num == 2 && typ == protowire.VarintType:
			x, _ := protowire.ConsumeVarint(v)
			ev.step = int64(x)
		case num == 3 && typ == protowire.BytesType:
			s, _ := protowire.ConsumeString(v)
			ev.version = s
		case num == 5 && typ == protowire.BytesType:
			sum, _ := protowire.ConsumeBytes(v)
			return fields(sum, func(num protowire.Number, typ protowire.Type, v []byte) error {
				if num != 1 || typ != protowire.BytesType {
					return fmt.Errorf("summary field %d type %d", num, typ)
				}
				val, _ := protowire.ConsumeBytes(v)
				var s scalar
				err := fields(val, func(num protowire.Number, typ protowire.Type, v []byte) error {
					switch {
					case num == 1 && typ == protowire.BytesType:
						s.tag, _ = protowire.ConsumeString(v)
					case num == 2 && typ == protowire.Fixed32Type:
						x, _ := protowire.ConsumeFixed32(v)
						s.v = math.Float32frombits(x)
					default:
						return fmt.Errorf("value field %d type %d", num, typ)
					}
					return nil
				})
				ev.values = append(ev.values, s)
				return err
			})
		default:
			return fmt.Errorf("event field %d type %d", num, typ)
		}
		return nil
	})
	return ev, err
}

func readEvents(t *testing.T, b []byte) []event {
	t.Helper()
	recs, err := readRecords(b)
	if err != nil {
		t.Fatal(err)
	}
	var evs []event
	for i, r := range recs {
		ev, err := decodeEvent(r)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func TestMaskedCRC(t *testing.T) {
	// 0xe3069283 is the CRC-32C check value of "123456789".
	if got := unmask(MaskedCRC([]byte("123456789"))); got != 0xe3069283 {
		t.Errorf("CRC-32C(123456789) = %08x, want e3069283", got)
	}
}

func TestScalarsRoundTrip(t *testing.T) {
	start := time.Date(2025, 5, 6, 7, 8, 9, 500_000_000, time.UTC)
	var buf bytes.Buffer
	w := NewWriter(&buf, start)
	batches := []struct {
		step   int64
		values map[string]float64
	}{
		{1, map[string]float64{"loss/train": 0.5, "lr": 1e-4}},
		{2, map[string]float64{"loss/train": 0.25}},
		{1 << 40, map[string]float64{"Q_G": -1.75}},
	}
	for i, bt := range batches {
		before := buf.Len()
		if err := w.Scalars(bt.step, start.Add(time.Duration(i+1)*time.Second), bt.values); err != nil {
			t.Fatal(err)
		}
		if buf.Len() == before {
			t.Fatalf("batch %d not flushed", i)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Scalar("x", 1, start, 1); err == nil {
		t.Error("Scalar after Close succeeded")
	}
	evs := readEvents(t, buf.Bytes())
	want := []event{
		{wall: 1746515289.5, version: FileVersion},
		{wall: 1746515290.5, step: 1, values: []scalar{{"loss/train", 0.5}}},
		{wall: 1746515290.5, step: 1, values: []scalar{{"lr", 1e-4}}},
		{wall: 1746515291.5, step: 2, values: []scalar{{"loss/train", 0.25}}},
		{wall: 1746515292.5, step: 1 << 40, values: []scalar{{"Q_G", -1.75}}},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i := range want {
		g, w := evs[i], want[i]
		if g.wall != w.wall || g.step != w.step || g.version != w.version || fmt.Sprint(g.values) != fmt.Sprint(w.values) {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestReaderRejectsCorruption(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, time.Unix(1, 0))
	if err := w.Scalar("a", 3, time.Unix(2, 0), 1.5); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for _, at := range []int{0, 9, 14, len(good) - 1} {
		b := bytes.Clone(good)
		b[at] ^= 0x40
		if _, err := readRecords(b); err == nil {
			t.Errorf("flipping byte %d went unnoticed", at)
		}
	}
}

func TestCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs", "a")
	w1, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := Create(dir) // same second: must not clobber the first
	if err != nil {
		t.Fatal(err)
	}
	if w1.Path() == w2.Path() {
		t.Fatalf("two writers share %s", w1.Path())
	}
	host, _ := os.Hostname()
	if base := filepath.Base(w1.Path()); !strings.HasPrefix(base, "events.out.tfevents.") || (host != "" && !strings.HasSuffix(base, "."+host)) {
		t.Errorf("file name %s", base)
	}
	if err := w1.Scalars(7, time.Now(), map[string]float64{"loss": 2}); err != nil {
		t.Fatal(err)
	}
	// Flushed without Close: a reader sees the event already.
	b, err := os.ReadFile(w1.Path())
	if err != nil {
		t.Fatal(err)
	}
	evs := readEvents(t, b)
	if len(evs) != 2 || evs[0].version != FileVersion || evs[1].step != 7 || evs[1].values[0] != (scalar{"loss", 2}) {
		t.Errorf("events %+v", evs)
	}
	for _, w := range []*Writer{w1, w2, w1} {
		if err := w.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestFileName(t *testing.T) {
	if got := FileName(time.Unix(1700000000, 0), "node7"); got != "events.out.tfevents.1700000000.node7" {
		t.Errorf("FileName = %s", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	w := NewWriter(failWriter{}, time.Unix(0, 0))
	err := w.Scalar("a", 1, time.Unix(0, 0), 1)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want the write error", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a failed write returned nil")
	}
}
