package pipeline

import (
	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/report"
)

// Gallery names, for the HTML report, the images of every pair in images
// (the pairs a Results kept): the sources, the reference, each source's
// fused image and the decision map it left (findMap). A method without a
// fused image of a pair is left out of that pair.
func Gallery(pairs []data.Pair, images []string, sources []Source) *report.Gallery {
	keep := map[string]bool{}
	for _, img := range images {
		keep[img] = true
	}
	g := &report.Gallery{}
	for _, p := range pairs {
		if !keep[p.Name] {
			continue
		}
		gp := report.GalleryPair{Name: p.Name, Sources: p.Sources, Reference: p.Reference,
			Fused: map[string]string{}, Maps: map[string]string{}}
		for _, s := range sources {
			path, err := findFused(s, p.Name)
			if err != nil {
				continue
			}
			gp.Fused[s.Method] = path
			if m := findMap(s, p.Name, sources); m != "" {
				gp.Maps[s.Method] = m
			}
		}
		g.Pairs = append(g.Pairs, gp)
	}
	return g
}
