package train

import (
	"fmt"
	"math/rand/v2"
)

// RNG is a seeded Go random stream (PCG) whose exact state can be saved and
// restored. The Trainer uses one to shuffle the data; its state is part of
// every checkpoint.
type RNG struct {
	*rand.Rand
	src *rand.PCG
}

// NewRNG returns a stream seeded from seed.
func NewRNG(seed uint64) *RNG {
	src := rand.NewPCG(seed, DeriveSeed(seed, 0x9e3779b97f4a7c15))
	return &RNG{Rand: rand.New(src), src: src}
}

// MarshalBinary returns the stream state.
func (r *RNG) MarshalBinary() ([]byte, error) { return r.src.MarshalBinary() }

// UnmarshalBinary restores a state returned by MarshalBinary.
func (r *RNG) UnmarshalBinary(b []byte) error {
	if err := r.src.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("rng state: %w", err)
	}
	return nil
}

// DeriveSeed mixes a base seed with counters (epoch, iteration, stream id...)
// into a new, well-scrambled seed with SplitMix64 (Steele, Lea & Flood,
// OOPSLA 2014). Streams derived from different counters are independent for
// practical purposes, and the same inputs always give the same seed, so
// per-batch randomness needs no saved state.
func DeriveSeed(base uint64, parts ...uint64) uint64 {
	h := splitmix(base)
	for _, p := range parts {
		h = splitmix(h ^ splitmix(p+0x632be59bd9b4e019))
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// TorchSeed converts a derived seed to the non-negative int64 libtorch's
// manual_seed expects.
func TorchSeed(seed uint64) int64 { return int64(seed >> 1) }

// NewRand returns a fresh *rand.Rand for the stream identified by
// (base, parts...).
func NewRand(base uint64, parts ...uint64) *rand.Rand {
	s := DeriveSeed(base, parts...)
	return rand.New(rand.NewPCG(s, splitmix(s)))
}
