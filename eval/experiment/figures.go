package experiment

import (
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/report"
)

// figures draws the configured qualitative figures.
func (rp *reporter) figures() error {
	if len(rp.spec.Outputs.Figures) == 0 {
		return nil
	}
	rp.mdf("## Figures\n")
	for i, f := range rp.spec.Outputs.Figures {
		p, err := rp.figure(f)
		if err != nil {
			rp.mdf("Figure %d (%s/%s): not drawn: %v\n", i, f.Dataset, f.Pair, err)
			continue
		}
		rp.sum.Files = append(rp.sum.Files, p)
		rp.mdf("![%s %s](%s)\n", f.Dataset, f.Pair, rp.rel(p))
	}
	return nil
}

func (rp *reporter) figurePair(f Figure) (data.Pair, error) {
	for _, cd := range rp.cells {
		d, ok := cd.Plan.Datasets[f.Dataset]
		if !ok {
			continue
		}
		dir := d.Path
		if d.Synthetic != nil {
			r := &Runner{Spec: rp.spec, Root: filepath.Dir(rp.dir)}
			dir = r.SynthDir(f.Dataset, *d.Synthetic)
		}
		pairs, err := data.DiscoverPairs(dir)
		if err != nil {
			return data.Pair{}, err
		}
		for _, p := range pairs {
			if p.Name == f.Pair {
				return p, nil
			}
		}
		return data.Pair{}, fmt.Errorf("no pair %q in %s", f.Pair, dir)
	}
	return data.Pair{}, errors.New("no cell has run this dataset yet")
}

func (rp *reporter) figure(f Figure) (string, error) {
	pair, err := rp.figurePair(f)
	if err != nil {
		return "", err
	}
	srcs, _, err := data.LoadPair(pair)
	if err != nil {
		return "", err
	}
	far := len(srcs) - 1
	if f.Far > 0 && f.Far <= len(srcs) {
		far = f.Far - 1
	}
	var top, fused, diffs []report.Panel
	for i, s := range srcs {
		top = append(top, report.Panel{Label: fmt.Sprintf("source %d", i+1), Image: s})
	}
	for _, cd := range rp.cells {
		if cd.Results[f.Dataset] == nil {
			continue
		}
		for _, m := range cd.Plan.Methods {
			if len(f.Methods) > 0 && !contains(f.Methods, m.Name) {
				continue
			}
			label := m.Name
			if rp.swept() {
				label = m.Name + " " + shortLabel(cd.Cell)
			}
			img, err := rp.panelImage(cd, m, pair.Name, f)
			if err != nil || img == nil {
				continue
			}
			fused = append(fused, report.Panel{Label: label, Image: img})
			if !f.Maps {
				d, err := report.DiffMap(img, srcs[far])
				if err != nil {
					return "", err
				}
				diffs = append(diffs, report.Panel{Label: "diff " + label, Image: d})
			}
		}
	}
	if len(fused) == 0 {
		return "", errors.New("no fused images of this pair yet")
	}
	cols := max(len(top), min(len(fused), 6))
	var panels []report.Panel
	for _, grp := range [][]report.Panel{top, fused, diffs} {
		panels = append(panels, pad(grp, cols, srcs[0].W, srcs[0].H)...)
	}
	opt := report.GridOptions{Cols: cols}
	if len(f.Zoom) == 4 {
		opt.Zoom = image.Rect(f.Zoom[0], f.Zoom[1], f.Zoom[2], f.Zoom[3])
	}
	name := "fig_" + slugify(f.Dataset) + "_" + slugify(f.Pair)
	if f.Maps {
		name += "_maps"
	}
	p := filepath.Join(rp.out, name+".png")
	return p, report.FigureGrid(p, panels, opt)
}

func (rp *reporter) panelImage(cd *cellData, m planMethod, pair string, f Figure) (*data.Image, error) {
	dir := FusedDir(filepath.Join(rp.dir, cd.Cell.Name), f.Dataset, m.Name)
	if f.Maps {
		if m.Results != "" {
			return nil, nil
		}
		return data.ReadImage(filepath.Join(dir, pipeline.MapName(pair)))
	}
	if m.Results != "" {
		dir = resultsDir(m.Results, f.Dataset)
	}
	path, err := data.FindFused(dir, pair, m.Name)
	if err != nil {
		return nil, err
	}
	return data.ReadImage(path)
}

func shortLabel(c Cell) string {
	parts := make([]string, len(c.Values))
	for i, v := range c.Values {
		parts[i] = FormatValue(v.Value)
	}
	return strings.Join(parts, ",")
}

// pad fills the last row of a panel group with blank panels so the next
// group starts on a new row.
func pad(ps []report.Panel, cols, w, h int) []report.Panel {
	if len(ps) == 0 {
		return nil
	}
	for len(ps)%cols != 0 {
		blank := data.NewImage(w, h, 1)
		for i := range blank.Planes[0] {
			blank.Planes[0][i] = 255
		}
		ps = append(ps, report.Panel{Label: "", Image: blank})
	}
	return ps
}
