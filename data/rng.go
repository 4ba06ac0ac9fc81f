package data

import "math"

// rng is SplitMix64 (Steele, Lea & Flood, OOPSLA 2014). The package uses
// its own generator so that synthetic data and augmentation stay identical
// across Go releases, which math/rand does not promise for every method.
type rng struct{ s uint64 }

func newRNG(seed int64, stream ...uint64) *rng {
	r := &rng{s: uint64(seed)}
	for _, v := range stream {
		r.s = mix64(r.s ^ mix64(v+0x9e3779b97f4a7c15))
	}
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// mix64 is SplitMix64's output finaliser, also used as an integer hash.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// uniform returns a uniform value in [a, b).
func (r *rng) uniform(a, b float64) float64 { return a + (b-a)*r.float() }

// intn returns a uniform integer in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// perm returns a uniformly random permutation of 0..n-1 (Fisher-Yates).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// coin returns true with probability 1/2.
func (r *rng) coin() bool { return r.next()>>63 == 1 }

// hashUnit maps lattice point (x, y) of noise layer s to [0, 1).
func hashUnit(x, y int, s uint64) float64 {
	h := mix64(uint64(int64(x))*0x9e3779b97f4a7c15 ^ mix64(uint64(int64(y))^s))
	return float64(h>>11) / (1 << 53)
}

// valueNoise is smooth value noise with lattice spacing cell (pixels) at
// (x, y): random lattice values blended with a smoothstep.
func valueNoise(x, y, cell float64, s uint64) float64 {
	fx, fy := x/cell, y/cell
	ix, iy := math.Floor(fx), math.Floor(fy)
	tx, ty := fx-ix, fy-iy
	tx = tx * tx * (3 - 2*tx)
	ty = ty * ty * (3 - 2*ty)
	x0, y0 := int(ix), int(iy)
	a := hashUnit(x0, y0, s)
	b := hashUnit(x0+1, y0, s)
	c := hashUnit(x0, y0+1, s)
	d := hashUnit(x0+1, y0+1, s)
	return (a*(1-tx)+b*tx)*(1-ty) + (c*(1-tx)+d*tx)*ty
}

// fractalNoise sums octaves of value noise (each half the cell size and
// half the amplitude of the previous), normalised to [0, 1).
func fractalNoise(x, y, cell float64, octaves int, s uint64) float64 {
	sum, amp, norm := 0.0, 1.0, 0.0
	for o := 0; o < octaves && cell >= 1; o++ {
		sum += amp * valueNoise(x, y, cell, s+uint64(o)*0x632be59bd9b4e019)
		norm += amp
		amp *= 0.5
		cell *= 0.5
	}
	if norm == 0 {
		return hashUnit(int(x), int(y), s)
	}
	return sum / norm
}
