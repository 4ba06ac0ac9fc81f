package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/mfif/mfif/internal/atomicfile"
)

// SchemaVersion is the results.json layout version; readers reject newer
// files rather than misread them.
// Schema 2 added the ranks and tests of Summary and the Stats section.
const SchemaVersion = 2

// MetricInfo records which metric variant produced a column.
type MetricInfo struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Citation    string    `json:"citation,omitempty"`
	Better      Direction `json:"better"`
}

// Provenance records how a results file was produced.
type Provenance struct {
	Tool      string `json:"tool"`
	Version   string `json:"version"`
	Revision  string `json:"revision,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
	// Dataset is the pair folder the numbers were computed on.
	Dataset string `json:"dataset,omitempty"`
	// Config is the effective configuration (flags, options, seeds).
	Config map[string]any `json:"config,omitempty"`
	Date   time.Time      `json:"date"`
}

// Stat summarises one method x metric over the images.
type Stat struct {
	Mean float64 `json:"mean"`
	// Std is the sample standard deviation (n-1); 0 for a single image.
	Std float64 `json:"std"`
	N   int     `json:"n"`
	// Rank is the method's rank on the metric among the methods that have
	// it: 1 is best, tied means (as printed) share the mean of their
	// places (RankBest); 0 for a metric that is not ranked.
	Rank float64 `json:"rank,omitempty"`
	// VsBest is the paired test against the best method of the metric;
	// nil for the best itself and for metrics that are not ranked.
	VsBest *PairedTest `json:"vs_best,omitempty"`
}

// Results holds per-image scores and their summary for several methods and
// metrics. PerImage is indexed [method][image][metric].
type Results struct {
	Schema     int                                      `json:"schema"`
	Provenance Provenance                               `json:"provenance"`
	Metrics    []MetricInfo                             `json:"metrics"`
	Methods    []string                                 `json:"methods"`
	Images     []string                                 `json:"images"`
	PerImage   map[string]map[string]map[string]float64 `json:"per_image"`
	Summary    map[string]map[string]Stat               `json:"summary"`
	// Stats holds the statistics that span methods or metrics (best per
	// metric, average ranks, rank correlations between the metrics).
	Stats *Stats `json:"stats,omitempty"`
}

// NewProvenance fills the build-related fields from the running binary:
// module version and VCS revision (when the binary was built with VCS
// stamping), Go version, and the current time in UTC.
func NewProvenance(dataset string, config map[string]any) Provenance {
	p := Provenance{Tool: "mfif", Version: "(devel)", GoVersion: runtime.Version(),
		Dataset: dataset, Config: config, Date: time.Now().UTC().Truncate(time.Second)}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			p.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				p.Revision = s.Value
			case "vcs.modified":
				p.Modified = s.Value == "true"
			}
		}
	}
	return p
}

// NewResults returns an empty Results for the given metrics.
func NewResults(prov Provenance, metrics []MetricInfo) *Results {
	return &Results{Schema: SchemaVersion, Provenance: prov, Metrics: metrics,
		PerImage: map[string]map[string]map[string]float64{}, Summary: map[string]map[string]Stat{}}
}

// Add records the scores of one method on one image. Methods and images are
// kept in the order they are first added.
func (r *Results) Add(method, image string, scores map[string]float64) {
	if r.PerImage == nil {
		r.PerImage = map[string]map[string]map[string]float64{}
	}
	if _, ok := r.PerImage[method]; !ok {
		r.PerImage[method] = map[string]map[string]float64{}
		r.Methods = append(r.Methods, method)
	}
	if !contains(r.Images, image) {
		r.Images = append(r.Images, image)
	}
	m := r.PerImage[method][image]
	if m == nil {
		m = map[string]float64{}
		r.PerImage[method][image] = m
	}
	for k, v := range scores {
		m[k] = v
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Summarize recomputes Summary (mean and sample std over images, rank, and
// the paired test against the best method) and Stats from PerImage. A
// non-finite score is an error naming method, image and metric.
func (r *Results) Summarize() error {
	r.Summary = map[string]map[string]Stat{}
	for _, method := range r.Methods {
		r.Summary[method] = map[string]Stat{}
		for _, mi := range r.Metrics {
			var xs []float64
			for _, img := range r.Images {
				v, ok := r.PerImage[method][img][mi.Name]
				if !ok {
					continue
				}
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("results: %s on %s: %s = %v", method, img, mi.Name, v)
				}
				xs = append(xs, v)
			}
			if len(xs) > 0 {
				r.Summary[method][mi.Name] = MeanStd(xs)
			}
		}
	}
	r.computeStats()
	return nil
}

// MeanStd summarises xs: the mean and the sample standard deviation (n-1
// in the denominator, as MATLAB's std and the tables of MFIF papers), both
// from gonum's stat.MeanStdDev; Std is 0 for fewer than two values (where
// the sample deviation is undefined) and Mean is 0 for none.
func MeanStd(xs []float64) Stat {
	st := Stat{N: len(xs)}
	switch len(xs) {
	case 0:
	case 1:
		st.Mean = xs[0]
	default:
		st.Mean, st.Std = stat.MeanStdDev(xs, nil)
	}
	return st
}

// Table returns the methods x metrics table of means (the layout of the
// paper's comparison tables); showStd adds "± std". Each mean carries its
// rank and, from Summary, the test against the best of its metric (see
// Table.Marks), and a last column gives the average rank over
// Stats.AverageRankMetrics. Call Summarize first. When the methods were
// scored on different numbers of images (see Counts), a key column "n"
// gives each method's count, so means over different image sets are not
// read as comparable without notice.
func (r *Results) Table(caption string, showStd bool) *Table {
	t := &Table{Caption: caption, Keys: []string{"Method"}, ShowStd: showStd}
	counts, uneven := r.Counts()
	if uneven {
		t.Keys = append(t.Keys, "n")
	}
	for _, mi := range r.Metrics {
		t.Columns = append(t.Columns, Column{Name: mi.Name, Better: mi.Better})
	}
	t.Note = r.powerNote()
	avg := r.Stats != nil && len(r.Stats.AverageRank) > 0
	if avg {
		t.Columns = append(t.Columns, Column{Name: AverageRankColumn, Better: Lower})
	}
	for _, method := range r.Methods {
		row := Row{Keys: []string{method}}
		if uneven {
			row.Keys = append(row.Keys, fmt.Sprint(counts[method]))
		}
		for _, mi := range r.Metrics {
			st, ok := r.Summary[method][mi.Name]
			c := Cell{Mean: st.Mean, Std: st.Std, Missing: !ok || st.N == 0, Rank: st.Rank}
			if st.VsBest != nil {
				c.Tested, c.Significant, c.PHolm = true, st.VsBest.Significant, st.VsBest.PHolm
			}
			row.Cells = append(row.Cells, c)
		}
		if avg {
			row.Cells = append(row.Cells, Cell{Mean: r.Stats.AverageRank[method], NoStd: true})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// powerNote says when the images are too few for any test against the best
// to be significant: the smallest two-sided p of n paired images is
// 2/2^n (every difference of one sign), and Holm multiplies the smallest
// p of k-1 comparisons by k-1, k being the fewest methods (at least two)
// that share a ranked metric.
func (r *Results) powerNote() string {
	if r.Stats == nil || len(r.Images) == 0 {
		return ""
	}
	k := 0
	for metric := range r.Stats.Best {
		have := 0
		for _, m := range r.Methods {
			if r.Summary[m][metric].N > 0 {
				have++
			}
		}
		if have >= 2 && (k == 0 || have < k) {
			k = have
		}
	}
	if k == 0 {
		return ""
	}
	n := len(r.Images)
	least := math.Min(1, math.Exp2(1-float64(n))*float64(k-1))
	if least < Alpha {
		return ""
	}
	return fmt.Sprintf("With %d images no test can reach p < %g (the smallest possible corrected p is %.3g with %d methods), so no mean is bold: more images are needed to separate the methods.", n, Alpha, least, k)
}

// AverageRankColumn is the name of the table column of average ranks.
const AverageRankColumn = "Avg. rank"

// Scores returns, for one metric, the per-image values of every method in
// image order (images a method lacks are skipped).
func (r *Results) Scores(metric string) map[string][]float64 {
	out := map[string][]float64{}
	for _, method := range r.Methods {
		for _, img := range r.Images {
			if v, ok := r.PerImage[method][img][metric]; ok {
				out[method] = append(out[method], v)
			}
		}
	}
	return out
}

// WriteResults writes r as indented JSON to path atomically, and the same
// scores as a long CSV beside it (PerImageCSVPath, WritePerImageCSV) for
// spreadsheets and data frames. Summary is recomputed first so the file is
// always self-consistent. docs/results.md describes the layout.
func WriteResults(path string, r *Results) error {
	if r.Schema == 0 {
		r.Schema = SchemaVersion
	}
	if err := r.Summarize(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := writeBytes(path, append(b, '\n')); err != nil {
		return err
	}
	return WritePerImageCSV(PerImageCSVPath(path), r)
}

// PerImageCSVPath returns where WriteResults puts the per-image CSV of the
// results file at jsonPath: beside it, with "_per_image.csv" in place of
// the extension (results.json: results_per_image.csv).
func PerImageCSVPath(jsonPath string) string {
	return strings.TrimSuffix(jsonPath, filepath.Ext(jsonPath)) + "_per_image.csv"
}

// WritePerImageCSV writes every per-image score of r to path atomically as
// a long table with the header method,dataset,image,metric,value: one row
// per score, methods, images and metrics in the order of r.Methods,
// r.Images and r.Metrics, scores a method lacks left out. dataset is
// r.Provenance.Dataset; values have the fewest digits that read back as
// the same float64.
func WritePerImageCSV(path string, r *Results) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"method", "dataset", "image", "metric", "value"})
	for _, method := range r.Methods {
		for _, img := range r.Images {
			scores, ok := r.PerImage[method][img]
			if !ok {
				continue
			}
			for _, mi := range r.Metrics {
				if v, ok := scores[mi.Name]; ok {
					w.Write([]string{method, r.Provenance.Dataset, img, mi.Name, strconv.FormatFloat(v, 'g', -1, 64)})
				}
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return writeBytes(path, b.Bytes())
}

// ReadResults reads a file written by WriteResults.
func ReadResults(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r Results
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("read results %s: %w", path, err)
	}
	if r.Schema < 1 || r.Schema > SchemaVersion {
		return nil, fmt.Errorf("read results %s: schema %d not supported (this build reads 1..%d)", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}

// writeFile writes a report file atomically, creating its folder first.
func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return atomicfile.Write(path, write)
}

// writeBytes is writeFile for content already in memory.
func writeBytes(path string, b []byte) error {
	return writeFile(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// SortedKeys returns the keys of m in increasing order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
