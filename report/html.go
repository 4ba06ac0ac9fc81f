package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"path/filepath"
	"strconv"
	"strings"
)

// The HTML page is one file: its CSS and script are inlined from these
// assets, its images are the plots and gallery files beside it, linked by
// relative paths, so the report folder opens from the file system without
// a server or a network.
var (
	//go:embed assets/report.html
	pageTemplate string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string

	page = template.Must(template.New("report").Parse(pageTemplate))
)

// HTMLFile is the name of a report's HTML page.
const HTMLFile = "index.html"

type pageLink struct{ Name, Href string }

type pageHead struct{ Text, Title string }

type pageKey struct{ Text, Sort, Color string }

type pageCell struct {
	Text, Sort, Title, Rank, Dagger string
	Best, Second                    bool
}

type pageRow struct {
	Keys  []pageKey
	Cells []pageCell
}

type pageTestCell struct{ Text, Sort, Title, Class string }

type pageTestRow struct {
	Method, Color string
	Cells         []pageTestCell
}

type pageCorrRow struct {
	Name   string
	Values []string
}

type pageCorr struct {
	Name, Over string
	Rows       []pageCorrRow
}

type pageMethod struct {
	Name  string `json:"name"`
	Color string `json:"color"`
}

type pageGallery struct {
	Methods []pageMethod   `json:"methods"`
	Pairs   []galleryEntry `json:"pairs"`
}

type pageData struct {
	Title, Dataset, Date, Tool string
	NImages                    int
	Methods                    []string
	Links                      []pageLink
	Head                       []pageHead
	Rows                       []pageRow
	Legend                     string
	TestDescription            string
	Alpha                      float64
	TestMetrics                []string
	Tests                      []pageTestRow
	CorrMetrics                []string
	Corr                       []pageCorr
	Bars, Boxes                []string
	Gallery                    *pageGallery
	DiffAgainst                string
	GalleryPairs, LeftOut      int
	CSS                        template.CSS
	JS                         template.JS
}

// writeHTML writes dir/index.html for r: the table t (sortable), the tests
// and correlations of r.Stats, the plots among files (base names in dir),
// and the gallery entries when there are any.
func writeHTML(dir, caption string, r *Results, t *Table, files []string, styles *Styles, gallery []galleryEntry, leftOut int) (string, error) {
	d := pageData{Title: caption, Dataset: r.Provenance.Dataset, NImages: len(r.Images), Methods: r.Methods,
		Tool: strings.TrimSpace(r.Provenance.Tool + " " + r.Provenance.Version), Legend: t.Legend(),
		TestDescription: TestDescription, Alpha: Alpha, CSS: template.CSS(pageCSS), JS: template.JS(pageJS),
		DiffAgainst: "the reference where the pair has one, else source A", GalleryPairs: len(gallery), LeftOut: leftOut}
	if d.Title == "" {
		d.Title = "Results"
	}
	if !r.Provenance.Date.IsZero() {
		d.Date = r.Provenance.Date.Format("2006-01-02 15:04 MST")
	}
	for _, f := range files {
		base := filepath.Base(f)
		switch {
		case base == "results.json", base == "results_per_image.csv", strings.HasPrefix(base, "table."):
			d.Links = append(d.Links, pageLink{Name: base, Href: base})
		case base == "bars.png":
			d.Bars = append(d.Bars, base)
		case strings.HasPrefix(base, "box_") && strings.HasSuffix(base, ".png"):
			d.Boxes = append(d.Boxes, base)
		}
	}
	d.Head, d.Rows = htmlTable(t, styles)
	d.TestMetrics, d.Tests = htmlTests(r, styles)
	d.CorrMetrics, d.Corr = htmlCorrelations(r)
	if len(gallery) > 0 {
		g := &pageGallery{Pairs: gallery}
		for _, m := range r.Methods {
			g.Methods = append(g.Methods, pageMethod{Name: m, Color: styles.Of(m).CSS()})
		}
		d.Gallery = g
	}
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return "", fmt.Errorf("report %s: html: %w", dir, err)
	}
	path := filepath.Join(dir, HTMLFile)
	return path, writeBytes(path, b.Bytes())
}

// htmlTable renders t's header and rows with the marks of Marks; each cell
// sorts by its full-precision mean.
func htmlTable(t *Table, styles *Styles) ([]pageHead, []pageRow) {
	var head []pageHead
	for _, k := range t.Keys {
		head = append(head, pageHead{Text: k})
	}
	for _, c := range t.Columns {
		head = append(head, pageHead{Text: strings.TrimSpace(c.Name + " " + c.Better.arrow()), Title: "better: " + c.Better.String()})
	}
	marks := t.Marks()
	var rows []pageRow
	for i, r := range t.Rows {
		var row pageRow
		for j, k := range r.Keys {
			key := pageKey{Text: k, Sort: k}
			if j == 0 && styles != nil {
				key.Color = styles.Of(k).CSS()
			}
			row.Keys = append(row.Keys, key)
		}
		for j, c := range r.Cells {
			pc := pageCell{Text: t.cellText(c, " ± "), Best: marks[i][j] == Best, Second: marks[i][j] == Second}
			if !c.Missing {
				pc.Sort = strconv.FormatFloat(c.Mean, 'g', -1, 64)
				if c.Rank > 0 {
					pc.Rank = rankText(c.Rank)
				}
				if c.NotSignificant() {
					pc.Dagger = "†"
				}
				if c.Tested {
					pc.Title = fmt.Sprintf("vs best: p (Holm) = %.4g", c.PHolm)
				}
			}
			row.Cells = append(row.Cells, pc)
		}
		rows = append(rows, row)
	}
	return head, rows
}

// htmlTests lists, per method and ranked metric, the Holm-corrected p of
// the test against the best ("best" for the best itself).
func htmlTests(r *Results, styles *Styles) ([]string, []pageTestRow) {
	if r.Stats == nil || len(r.Methods) < 2 {
		return nil, nil
	}
	var metrics []string
	for _, mi := range r.Metrics {
		if _, ok := r.Stats.Best[mi.Name]; ok {
			metrics = append(metrics, mi.Name)
		}
	}
	if len(metrics) == 0 {
		return nil, nil
	}
	var rows []pageTestRow
	for _, m := range r.Methods {
		row := pageTestRow{Method: m, Color: styles.Of(m).CSS()}
		for _, name := range metrics {
			st, ok := r.Summary[m][name]
			var c pageTestCell
			switch {
			case !ok || st.N == 0:
				c.Text = "–"
			case st.VsBest == nil:
				c = pageTestCell{Text: "best", Sort: "-1", Class: "best"}
			default:
				t := st.VsBest
				c = pageTestCell{Text: fmt.Sprintf("%.3g", t.PHolm), Sort: strconv.FormatFloat(t.PHolm, 'g', -1, 64), Class: "ns",
					Title: fmt.Sprintf("vs %s: n = %d (%d non-zero), statistic %g, p = %.4g (%s), Holm %.4g", t.Best, t.N, t.NonZero, t.Statistic, t.P, t.Method, t.PHolm)}
				if t.Significant {
					c.Class = "sig"
				}
			}
			row.Cells = append(row.Cells, c)
		}
		rows = append(rows, row)
	}
	return metrics, rows
}

// htmlCorrelations lays r.Stats.Correlations out as SRCC and KRCC
// matrices.
func htmlCorrelations(r *Results) ([]string, []pageCorr) {
	if r.Stats == nil || len(r.Stats.Correlations) == 0 {
		return nil, nil
	}
	var names []string
	for _, mi := range r.Metrics {
		names = append(names, mi.Name)
	}
	type key struct{ a, b string }
	byPair := map[key]Correlation{}
	maxN := 0
	for _, c := range r.Stats.Correlations {
		byPair[key{c.A, c.B}], byPair[key{c.B, c.A}] = c, c
		maxN = max(maxN, c.N)
	}
	var out []pageCorr
	for _, kind := range []string{"SRCC", "KRCC"} {
		pc := pageCorr{Name: kind + (map[string]string{"SRCC": " (Spearman's rho)", "KRCC": " (Kendall's tau-b)"})[kind],
			Over: fmt.Sprintf("up to %d (method, image) scores per pair of metrics", maxN)}
		for _, a := range names {
			row := pageCorrRow{Name: a}
			for _, b := range names {
				if a == b {
					row.Values = append(row.Values, "1")
					continue
				}
				c := byPair[key{a, b}]
				v := c.SRCC
				if kind == "KRCC" {
					v = c.KRCC
				}
				if v == nil {
					row.Values = append(row.Values, "–")
				} else {
					row.Values = append(row.Values, fmt.Sprintf("%.3f", *v))
				}
			}
			pc.Rows = append(pc.Rows, row)
		}
		out = append(out, pc)
	}
	return names, out
}
