package metrics

import (
	"math"
	"sort"

	"github.com/mfif/mfif/data"
)

// QLMI of Yu Liu's MFIF-Metrics (LMI.m with lmi_qt1, lmi_dblocks, lmi_mi,
// lmi_en and lmi_Hab): a quadtree of each image splits, level by level,
// every block whose entropy is at least the mean of its four siblings;
// the leaves weigh their normalised mutual information by their area.

// qtBlock is one quadtree block: top row x, left column y, height h,
// width w (0-based) and its entropy as octave-image's entropy() gives it.
type qtBlock struct {
	x, y, h, w int
	en         float64
	empty      bool // lmi_dblocks of a block with r <= 2 or c <= 2
}

// lmiEntropy is octave-image's entropy() of a uint8 block: 256-bin
// histogram, empty bins dropped, -sum(p log2 p) in bin order.
func lmiEntropy(counts *[256]int, total int) float64 {
	s := 0.0
	for _, c := range counts {
		if c != 0 {
			p := float64(c) / float64(total)
			s += p * math.Log2(p)
		}
	}
	return -s
}

// lmiDblocks is lmi_dblocks.m: the four children of the r x c block at
// (x, y) of img (width iw) with their entropies. Its quirk is kept: the
// last column of the bottom-right child is left out of (zero in) the
// block whose entropy is taken. Blocks with r <= 2 or c <= 2 give four
// empty children.
func lmiDblocks(img []float64, iw, x, y, r, c int) [4]qtBlock {
	if r <= 2 || c <= 2 {
		return [4]qtBlock{{empty: true}, {empty: true}, {empty: true}, {empty: true}}
	}
	h1, w1 := r/2, c/2
	h2, w2 := (r+1)/2, (c+1)/2
	ent := func(bx, by, bh, bw, copyW int) float64 {
		var counts [256]int
		counts[0] = bh * (bw - copyW)
		for i := bx; i < bx+bh; i++ {
			for j := by; j < by+copyW; j++ {
				counts[int(data.RoundSat255(img[i*iw+j]))]++
			}
		}
		return lmiEntropy(&counts, bh*bw)
	}
	return [4]qtBlock{
		{x: x, y: y, h: h1, w: w1, en: ent(x, y, h1, w1, w1)},
		{x: x, y: y + w1, h: h1, w: w2, en: ent(x, y+w1, h1, w2, w2)},
		{x: x + h1, y: y, h: h2, w: w1, en: ent(x+h1, y, h2, w1, w1)},
		{x: x + h1, y: y + w1, h: h2, w: w2, en: ent(x+h1, y+w1, h2, w2, w2-1)},
	}
}

// lmiQuadtree is lmi_qt1.m: the leaves of img's quadtree, level by level.
func lmiQuadtree(img []float64, w, h int) ([][]qtBlock, error) {
	lg := func(n int) int { return int(math.Floor(math.Log2(float64(n)))) }
	levels := max(lg(h), lg(w)) - 2
	first := lmiDblocks(img, w, 0, 0, h, w)
	decomp := [][]qtBlock{first[:]}
	for level := 0; level < levels; level++ {
		cur := decomp[level]
		split := make([]bool, len(cur))
		var next []qtBlock
		for g := 0; g < len(cur)/4; g++ {
			sum := 0.0
			for k := 0; k < 4; k++ {
				if cur[g*4+k].empty {
					return nil, errf("quadtree block too small to split (LMI.m fails here)")
				}
				sum += cur[g*4+k].en
			}
			mean := sum / 4
			for k := 0; k < 4; k++ {
				b := cur[g*4+k]
				if b.en >= mean {
					split[g*4+k] = true
					kids := lmiDblocks(img, w, b.x, b.y, b.h, b.w)
					next = append(next, kids[:]...)
				}
			}
		}
		var keep []qtBlock
		for i, b := range cur {
			if !split[i] {
				keep = append(keep, b)
			}
		}
		if len(keep) == 0 {
			return nil, errf("every quadtree block of a level splits (LMI.m fails here)")
		}
		decomp[level] = keep
		decomp = append(decomp, next)
	}
	return decomp, nil
}

// lmiMI is lmi_mi.m with alpha = 1: the area-weighted mean over the leaves
// of 2(H(a)+H(b)-H(a,b))/(H(a)+H(b)+1e-14), halved.
func lmiMI(a, b []float64, w int, leaves [][]qtBlock) float64 {
	mi, size := 0.0, 0.0
	for _, level := range leaves {
		for _, blk := range level {
			if blk.empty {
				continue
			}
			n := blk.h * blk.w
			var ca, cb [256]int
			joint := map[[2]int]int{}
			for i := blk.x; i < blk.x+blk.h; i++ {
				for j := blk.y; j < blk.y+blk.w; j++ {
					va, vb := level8(a[i*w+j]), level8(b[i*w+j])
					ca[va]++
					cb[vb]++
					joint[[2]int{va, vb}]++
				}
			}
			ea, eb := lmiEntropy(&ca, n), lmiEntropy(&cb, n)
			// find(counter ~= 0) order: column-major, b's level outer
			keys := make([][2]int, 0, len(joint))
			for k := range joint {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				if keys[i][1] != keys[j][1] {
					return keys[i][1] < keys[j][1]
				}
				return keys[i][0] < keys[j][0]
			})
			hab := 0.0
			for _, k := range keys {
				p := float64(joint[k]) / float64(n)
				hab += -p * math.Log2(p)
			}
			mi += float64(n) * (2 * (ea + eb - hab) / (ea + eb + 1e-14))
			size += float64(n)
		}
	}
	return mi / 2 / size
}

// level8 is the histogram bin of an integer grey level 0..255.
func level8(v float64) int { return int(data.RoundSat255(v)) }

// ylLMI is LMI(A,B,F,1): (lmi_mi(A,F; quadtree of A) + lmi_mi(F,A; of F) +
// lmi_mi(B,F; of B) + lmi_mi(F,B; of F)) / 2.
func ylLMI(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	if s.w < 3 || s.h < 3 {
		return 0, errf("QLMI needs at least 3x3 pixels, got %dx%d", s.w, s.h)
	}
	a, b, f := s.src[0], s.src[1], s.fus
	qa, err := lmiQuadtree(a, s.w, s.h)
	if err != nil {
		return 0, err
	}
	qb, err := lmiQuadtree(b, s.w, s.h)
	if err != nil {
		return 0, err
	}
	qf, err := lmiQuadtree(f, s.w, s.h)
	if err != nil {
		return 0, err
	}
	return (lmiMI(a, f, s.w, qa) + lmiMI(f, a, s.w, qf) + lmiMI(b, f, s.w, qb) + lmiMI(f, b, s.w, qf)) / 2, nil
}
