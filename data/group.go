package data

import (
	"sort"
	"strconv"
)

// Grouped is implemented by datasets that know which source photograph
// (or mask, or scene) each sample was made from. Samples of one group are
// siblings, e.g. the blur levels of one VOC photo, and must stay on one
// side of a training/validation split; see SplitByGroup. Every dataset of
// this package implements it.
type Grouped interface {
	Dataset
	// Group returns the group id of sample i (for example the photo's
	// file stem); i must be in [0, Len()).
	Group(i int) string
}

// GroupOf returns the group of sample i of ds: ds.Group(i) when ds is
// Grouped, else "#i", so that every sample of an unknown dataset is its
// own group.
func GroupOf(ds Dataset, i int) string {
	if g, ok := ds.(Grouped); ok {
		return g.Group(i)
	}
	return "#" + strconv.Itoa(i)
}

// Group of a VOC sample is the photo's file stem (e.g. 2007_000032).
func (d *vocDataset) Group(i int) string { return d.stems[i/3] }

// Group of a triplet sample is the pair name.
func (d *tripletDataset) Group(i int) string { return d.pairs[i].Name }

// Group of a synthetic scene is its index: scenes share nothing.
func (d *synthDataset) Group(i int) string { return "synth#" + strconv.Itoa(i) }

// Group of a subset sample is the group of the underlying sample.
func (s *subset) Group(i int) string { return GroupOf(s.ds, s.idx[i]) }

// SplitByGroup divides ds into a training and a validation part that share
// no group (GroupOf), so no photo contributes to both sides: the distinct
// groups are shuffled by seed and round(valFraction*groups) of them
// (valFraction clamped to [0, 1]) go to validation with all their samples.
// Both parts keep ascending index order. With one sample per group it
// is a plain random split.
func SplitByGroup(ds Dataset, valFraction float64, seed int64) (train, val Dataset) {
	n := ds.Len()
	var names []string
	byGroup := map[string][]int{}
	for i := 0; i < n; i++ {
		g := GroupOf(ds, i)
		if _, ok := byGroup[g]; !ok {
			names = append(names, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	sort.Strings(names) // the split depends on the groups, not on sample order
	if !(valFraction > 0) {
		valFraction = 0
	}
	valFraction = min(valFraction, 1)
	nv := int(valFraction*float64(len(names)) + 0.5)
	perm := newRNG(seed, 0x6a9).perm(len(names))
	var vi, ti []int
	for k, p := range perm {
		if k < nv {
			vi = append(vi, byGroup[names[p]]...)
		} else {
			ti = append(ti, byGroup[names[p]]...)
		}
	}
	sort.Ints(vi)
	sort.Ints(ti)
	return &subset{ds: ds, idx: ti}, &subset{ds: ds, idx: vi}
}
