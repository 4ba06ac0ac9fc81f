package metrics

import (
	"fmt"
	"math"
	"sync"
)

// joint is the 256x256 joint grey-level histogram of two images with
// integer samples 0..255, as built by mutual_info.m and tsallis.m: bin
// (i, j) counts pixels where the first image has level i and the second j.
type joint struct {
	p      []float64 // p[i*256+j] = count / total
	cnt    []int32
	px, py [256]float64 // marginals of the first (x) and second (y) image
	n      float64
}

// level maps a sample to its histogram bin: samples are rounded half away
// from zero and clamped to 0..255 (normalize1 output is already integral).
func level(v float64) int {
	l := int(math.Round(v))
	if l < 0 {
		return 0
	}
	if l > 255 {
		return 255
	}
	return l
}

// newJoint builds the joint histogram of x and y.
func newJoint(x, y []float64) *joint {
	j := &joint{p: make([]float64, 256*256), cnt: make([]int32, 256*256), n: float64(len(x))}
	for k := range x {
		j.cnt[level(x[k])<<8|level(y[k])]++
	}
	return j.finish()
}

// newJointLevels is newJoint for samples that are already integers in
// 0..255 (normalize1's output), which index the bins directly.
func newJointLevels(x, y []float64) *joint {
	j := &joint{p: make([]float64, 256*256), cnt: make([]int32, 256*256), n: float64(len(x))}
	y = y[:len(x)]
	// Two count arrays break the store-to-load chain when neighbouring
	// pixels fall in the same bin (smooth images).
	c2 := make([]int32, 256*256)
	k := 0
	for ; k+1 < len(x); k += 2 {
		j.cnt[(int(x[k])&255)<<8|int(y[k])&255]++
		c2[(int(x[k+1])&255)<<8|int(y[k+1])&255]++
	}
	if k < len(x) {
		j.cnt[(int(x[k])&255)<<8|int(y[k])&255]++
	}
	for i, c := range c2 {
		j.cnt[i] += c
	}
	return j.finish()
}

// finish turns the counts into probabilities and marginals.
func (j *joint) finish() *joint {
	for k, c := range j.cnt {
		if c != 0 {
			j.p[k] = float64(c) / j.n
		}
	}
	// Marginals summed from p in MATLAB's order (sum(h) and sum(h')).
	for a := 0; a < 256; a++ {
		s := 0.0
		for b := 0; b < 256; b++ {
			s += j.p[a<<8|b]
		}
		j.px[a] = s
	}
	for b := 0; b < 256; b++ {
		s := 0.0
		for a := 0; a < 256; a++ {
			s += j.p[a<<8|b]
		}
		j.py[b] = s
	}
	return j
}

// entropy1 is the Shannon entropy (log2) of a distribution, 0 log 0 = 0.
func entropy1(m []float64) float64 {
	h := 0.0
	for _, v := range m {
		if v != 0 {
			h += v * math.Log2(v)
		}
	}
	return -h
}

// entropies returns H(x), H(y) and the joint entropy H(x,y) in bits.
func (j *joint) entropies() (hx, hy, hxy float64) {
	hx, hy = entropy1(j.px[:]), entropy1(j.py[:])
	// Column sums first, then their sum, as sum(sum(.)) does.
	for b := 0; b < 256; b++ {
		c := 0.0
		for a := 0; a < 256; a++ {
			if v := j.p[a<<8|b]; v != 0 {
				c += v * math.Log2(v)
			}
		}
		hxy += c
	}
	return hx, hy, -hxy
}

// mi returns the mutual information I(x;y) = H(x)+H(y)-H(x,y) and the two
// marginal entropies.
func (j *joint) mi() (mi, hx, hy float64) {
	hx, hy, hxy := j.entropies()
	return hx + hy - hxy, hx, hy
}

var (
	lnTabOnce sync.Once
	lnTab     []float64
)

// lnCount returns ln(c) for a histogram count, from a table for small c.
func lnCount(c int32) float64 {
	lnTabOnce.Do(func() {
		lnTab = make([]float64, 1<<14)
		for i := 1; i < len(lnTab); i++ {
			lnTab[i] = math.Log(float64(i))
		}
	})
	if int(c) < len(lnTab) {
		return lnTab[c]
	}
	return math.Log(float64(c))
}

// tsallis is tsallis.m: (1 - S)/(1 - q) with
// S = sum_{i,j} p(i,j)^q / (py(i) px(j))^(q-1) over pairs whose marginal
// product is non-zero. The marginals are transposed relative to p(i,j)
// exactly as in the reference code (a bug kept to reproduce published
// numbers). Each term is evaluated as exp(q ln p - (q-1) ln py(i) - (q-1)
// ln px(j)), which agrees with the direct powers to a few ulps.
func (j *joint) tsallis(q float64) float64 {
	var ly, lx [256]float64
	for i := 0; i < 256; i++ {
		ly[i] = (q - 1) * math.Log(j.py[i])
		lx[i] = (q - 1) * math.Log(j.px[i])
	}
	lnN := math.Log(j.n)
	s := 0.0
	for a := 0; a < 256; a++ {
		if j.py[a] == 0 {
			continue
		}
		row := j.cnt[a<<8 : a<<8+256]
		for b, c := range row {
			if c == 0 || j.px[b] == 0 {
				continue
			}
			s += math.Exp(q*(lnCount(c)-lnN) - ly[a] - lx[b])
		}
	}
	return (1 - s) / (1 - q)
}

// jointNorm returns the joint histogram of normalize1(image i) and
// normalize1(image k), cached per scene.
func (s *scene) jointNorm(i, k int) (*joint, error) {
	x, err := s.normalized(i)
	if err != nil {
		return nil, err
	}
	y, err := s.normalized(k)
	if err != nil {
		return nil, err
	}
	key := [2]int{i, k}
	if j := s.joints[key]; j != nil {
		return j, nil
	}
	j := newJointLevels(x, y)
	s.joints[key] = j
	return j, nil
}

// qNMI is metricMI(...,1) (Hossny et al. 2008): for N sources
// (4/N) sum_i MI(Si,F)/(H(Si)+H(F)), which is the reference's
// 2 [MI(A,F)/(H(A)+H(F)) + MI(B,F)/(H(B)+H(F))] for N = 2 and keeps the
// range 0..2 for any N.
func qNMI(s *scene) (float64, error) {
	n := s.nsrc()
	acc := 0.0
	for i := 0; i < n; i++ {
		j, err := s.jointNorm(i, n)
		if err != nil {
			return 0, err
		}
		mi, hx, hf := j.mi()
		acc += mi / (hf + hx)
	}
	return 4 / float64(n) * acc, nil
}

// Tsallis constants of metricMI.m.
const (
	qNava   = 0.43137
	qCvejic = 1.85
)

// qTE is metricMI(...,3): (I_q(A,F) + I_q(B,F)) / (H(A)^q + H(B)^q +
// I_q(A,B)) with q = 0.43137 and the reference's Tsallis terms. The
// denominator's pairwise term has no agreed N-source form, so N != 2 is
// ErrUnsupported.
func qTE(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	af, err := s.jointNorm(0, 2)
	if err != nil {
		return 0, err
	}
	bf, err := s.jointNorm(1, 2)
	if err != nil {
		return 0, err
	}
	ab, err := s.jointNorm(0, 1)
	if err != nil {
		return 0, err
	}
	_, ha, hb := ab.mi()
	q := qNava
	return (af.tsallis(q) + bf.tsallis(q)) / (math.Pow(ha, q) + math.Pow(hb, q) + ab.tsallis(q)), nil
}

// qTECvejic is metricMI(...,2) (Cvejic et al. 2006, q = 1.85): the sum over
// sources of I_q(Si,F), which generalises directly to N sources.
func qTECvejic(s *scene) (float64, error) {
	n := s.nsrc()
	acc := 0.0
	for i := 0; i < n; i++ {
		j, err := s.jointNorm(i, n)
		if err != nil {
			return 0, err
		}
		acc += j.tsallis(qCvejic)
	}
	return acc, nil
}

// entropyEN is the Shannon entropy (bits) of the fused image's 256-bin
// grey-level histogram (samples rounded to integers).
func entropyEN(s *scene) (float64, error) {
	var h [256]float64
	for _, v := range s.fus {
		h[level(v)]++
	}
	for i := range h {
		h[i] /= float64(len(s.fus))
	}
	return entropy1(h[:]), nil
}

// miSum is the common MI fusion metric: sum over sources of MI(Si,F) in
// bits, from 256-bin joint histograms of the raw grey levels (no
// normalize1).
func miSum(s *scene) (float64, error) {
	n := s.nsrc()
	acc := 0.0
	for i := 0; i < n; i++ {
		mi, _, _ := newJoint(s.src[i], s.fus).mi()
		acc += mi
	}
	return acc, nil
}

func init() {
	register(Metric{
		Name:        "Q_NMI",
		Description: "normalised mutual information, 2[MI(A,F)/(H(A)+H(F)) + MI(B,F)/(H(B)+H(F))]",
		Citation:    "Hossny, Nahavandi, Creighton, Electron. Lett. 44(18) 2008; Zheng Liu toolbox metricMI(A,B,F,1)",
		Better:      HigherIsBetter,
	}, qNMI)
	register(Metric{
		Name:        "Q_TE",
		Description: "Tsallis-entropy metric, q = 0.43137 (Nava), as labelled Q_TE in fusionAssess.m",
		Citation:    "Nava et al., SPIE Newsroom 2007; Zheng Liu toolbox metricMI(A,B,F,3)",
		Better:      HigherIsBetter,
	}, qTE)
	register(Metric{
		Name:        "Q_TE_cvejic",
		Description: "Tsallis mutual information I_q(A,F)+I_q(B,F), q = 1.85 (unnormalised)",
		Citation:    "Cvejic, Canagarajah, Bull, Electron. Lett. 42(11) 2006; Zheng Liu toolbox metricMI(A,B,F,2)",
		Better:      HigherIsBetter,
	}, qTECvejic)
	register(Metric{
		Name:        "EN",
		Description: "Shannon entropy of the fused image (bits, 256 bins)",
		Citation:    "Roberts, van Aardt, Ahmed, J. Appl. Remote Sens. 2(1) 2008",
		Better:      HigherIsBetter,
	}, entropyEN)
	register(Metric{
		Name:        "MI",
		Description: "mutual information MI(A,F)+MI(B,F) (bits, raw 256-level histograms)",
		Citation:    "Qu, Zhang, Yan, Electron. Lett. 38(7) 2002",
		Better:      HigherIsBetter,
	}, miSum)
}

// errf wraps ErrDegenerate with a reason.
func errf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrDegenerate}, args...)...)
}
