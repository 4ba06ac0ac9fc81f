package report

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func tinyResults() *Results {
	r := NewResults(NewProvenance("/data/pairs", map[string]any{"workers": 2}),
		[]MetricInfo{{Name: "Q_G", Better: Higher}, {Name: "Q_SF", Better: CloserToZero, Citation: "Zheng 2007"}})
	r.Add("DWT", "img1", map[string]float64{"Q_G": 0.6, "Q_SF": -0.1})
	r.Add("DWT", "img2", map[string]float64{"Q_G": 0.8, "Q_SF": -0.3})
	r.Add("GF", "img1", map[string]float64{"Q_G": 0.7, "Q_SF": 0.05})
	r.Add("GF", "img2", map[string]float64{"Q_G": 0.7, "Q_SF": 0.01})
	return r
}

func TestSummarize(t *testing.T) {
	r := tinyResults()
	if err := r.Summarize(); err != nil {
		t.Fatal(err)
	}
	st := r.Summary["DWT"]["Q_G"]
	if math.Abs(st.Mean-0.7) > 1e-12 || math.Abs(st.Std-math.Sqrt(0.02)) > 1e-12 || st.N != 2 {
		t.Errorf("DWT Q_G = %+v, want mean 0.7 std sqrt(0.02) n 2", st)
	}
	if !reflect.DeepEqual(r.Methods, []string{"DWT", "GF"}) || !reflect.DeepEqual(r.Images, []string{"img1", "img2"}) {
		t.Errorf("order %v %v", r.Methods, r.Images)
	}
	r.Add("GF", "img3", map[string]float64{"Q_G": math.NaN()})
	if err := r.Summarize(); err == nil || !strings.Contains(err.Error(), "GF on img3") {
		t.Errorf("NaN score: err %v", err)
	}
}

func TestResultsRoundTrip(t *testing.T) {
	r := tinyResults()
	path := filepath.Join(t.TempDir(), "sub", "results.json")
	if err := WriteResults(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.PerImage, r.PerImage) || !reflect.DeepEqual(got.Summary, r.Summary) ||
		!reflect.DeepEqual(got.Metrics, r.Metrics) || !got.Provenance.Date.Equal(r.Provenance.Date) ||
		got.Provenance.GoVersion == "" || got.Provenance.Dataset != "/data/pairs" {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, r)
	}
	if got.Metrics[1].Better != CloserToZero {
		t.Errorf("direction lost: %v", got.Metrics[1].Better)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 2 {
		t.Errorf("want results.json and its CSV, no temporary files: %v", entries)
	}
}

func TestPerImageCSV(t *testing.T) {
	r := tinyResults()
	r.Add("GF", "img3", map[string]float64{"Q_G": 1.0 / 3}) // no Q_SF: no row
	path := filepath.Join(t.TempDir(), "metrics", "lytro.json")
	if err := WriteResults(path, r); err != nil {
		t.Fatal(err)
	}
	if got := PerImageCSVPath(path); filepath.Base(got) != "lytro_per_image.csv" {
		t.Errorf("PerImageCSVPath = %s", got)
	}
	f, err := os.Open(PerImageCSVPath(path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"method", "dataset", "image", "metric", "value"},
		{"DWT", "/data/pairs", "img1", "Q_G", "0.6"},
		{"DWT", "/data/pairs", "img1", "Q_SF", "-0.1"},
		{"DWT", "/data/pairs", "img2", "Q_G", "0.8"},
		{"DWT", "/data/pairs", "img2", "Q_SF", "-0.3"},
		{"GF", "/data/pairs", "img1", "Q_G", "0.7"},
		{"GF", "/data/pairs", "img1", "Q_SF", "0.05"},
		{"GF", "/data/pairs", "img2", "Q_G", "0.7"},
		{"GF", "/data/pairs", "img2", "Q_SF", "0.01"},
		{"GF", "/data/pairs", "img3", "Q_G", "0.3333333333333333"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("CSV rows\n%q\nwant\n%q", rows, want)
	}
	// Every value reads back exactly.
	for _, row := range rows[1:] {
		v, err := strconv.ParseFloat(row[4], 64)
		if err != nil || v != r.PerImage[row[0]][row[2]][row[3]] {
			t.Errorf("row %q does not read back (%v)", row, err)
		}
	}
}

func TestMeanStd(t *testing.T) {
	tests := []struct {
		xs        []float64
		mean, std float64
	}{
		{nil, 0, 0},
		{[]float64{2.5}, 2.5, 0},
		{[]float64{1, 2, 3, 4}, 2.5, math.Sqrt(5.0 / 3)}, // sample (n-1) std
		{[]float64{1e9 + 1, 1e9 + 2, 1e9 + 3}, 1e9 + 2, 1},
	}
	for _, tc := range tests {
		st := MeanStd(tc.xs)
		if math.Abs(st.Mean-tc.mean) > 1e-12*math.Abs(tc.mean) || math.Abs(st.Std-tc.std) > 1e-9 || st.N != len(tc.xs) {
			t.Errorf("MeanStd(%v) = %+v, want mean %v std %v", tc.xs, st, tc.mean, tc.std)
		}
	}
}

func TestReadResultsErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"schema.json":  `{"schema": 99}`,
		"unknown.json": `{"schema": 1, "colour": 3}`,
		"broken.json":  `{"schema": `,
		"badDir.json":  `{"schema": 1, "metrics": [{"name": "x", "better": "sideways"}]}`,
	}
	for name, body := range cases {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadResults(path); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err %v, want an error naming the file", name, err)
		}
	}
}

func TestResultsTable(t *testing.T) {
	r := tinyResults()
	if err := r.Summarize(); err != nil {
		t.Fatal(err)
	}
	md := r.Table("", false).Markdown()
	// DWT and GF tie on Q_G (0.7, both rank 1.5); GF is closer to zero on
	// Q_SF. Two images cannot make any difference significant: no bold on
	// the metrics, daggers on the rows tested against the best.
	for _, want := range []string{"| DWT | 0.7000 (1.5) | _-0.2000 (2)†_ | _1.7500_ |", "| GF | 0.7000 (1.5)† | 0.0300 (1) | **1.2500** |",
		"With 2 images no test can reach p < 0.05 (the smallest possible corrected p is 0.5 with 2 methods)"} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
}

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteAll(dir, "tiny", tinyResults())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
		if ext := filepath.Ext(p); ext == ".png" || ext == ".svg" || ext == ".pdf" {
			checkImageFile(t, p)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("listed but not written: %v", err)
		}
	}
	want := "results.json results_per_image.csv table.md table.csv table.tex bars.png bars.svg bars.pdf " +
		"box_Q_G.png box_Q_SF.png box_Q_G.pdf box_Q_SF.pdf index.html"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("wrote %s, want %s", got, want)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "table.md"))
	if !strings.Contains(string(md), "| 0.7000 ± 0.0000 (1.5)† |") {
		t.Errorf("table.md:\n%s", md)
	}
}
