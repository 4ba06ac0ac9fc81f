package backend

import (
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Large tensors are served by mfif's allocator, reused from its cache, and
// the mapped total never exceeds the high-water mark of the bytes in use.
func TestAllocatorReusesLargeBlocks(t *testing.T) {
	if Allocator() != "mfif" {
		t.Skipf("allocator is %q (MFIF_ALLOCATOR)", Allocator())
	}
	err := Run(func() error {
		before := ReadAllocStats()
		shape := []int64{4, 1 << 18} // 4 MiB of float32
		for i := 0; i < 5; i++ {
			x := ts.MustOnes(shape, gotch.Float, gotch.CPU)
			y := x.MustMulScalar(ts.FloatScalar(2), false)
			v := y.MustSum(gotch.Float, false)
			got := v.Float64Values()[0]
			if got != 2*float64(4<<18) {
				t.Fatalf("sum = %v, want %v", got, 2*float64(4<<18))
			}
			Drop(v, y, x)
		}
		after := ReadAllocStats()
		if after.Hits <= before.Hits {
			t.Errorf("no cache hits over 5 identical allocations: %v -> %v", before, after)
		}
		if after.Maps-before.Maps > 2 {
			t.Errorf("%d fresh mappings for 5 rounds of two 4 MiB tensors, want at most 2", after.Maps-before.Maps)
		}
		if after.InUse+after.Cached > after.Peak {
			t.Errorf("mapped %d + %d bytes exceeds the in-use peak %d", after.InUse, after.Cached, after.Peak)
		}
		ReleaseCache()
		if s := ReadAllocStats(); s.Cached != 0 {
			t.Errorf("cached %d bytes after ReleaseCache", s.Cached)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Small tensors go to the C library through the same deleter; data keep
// libtorch's 64-byte alignment.
func TestAllocatorSmallBlocks(t *testing.T) {
	err := Run(func() error {
		for _, n := range []int64{1, 3, 1000, 100000} {
			x := ts.MustArange(ts.IntScalar(n), gotch.Double, gotch.CPU)
			s := x.MustSum(gotch.Double, false).Float64Values()[0]
			if want := float64(n*(n-1)) / 2; s != want {
				t.Errorf("n=%d: sum %v, want %v", n, s, want)
			}
			ptr, err := x.DataPtr()
			if err != nil {
				return err
			}
			if p := uintptr(ptr); p%64 != 0 {
				t.Errorf("n=%d: data pointer %#x not 64-byte aligned", n, p)
			}
			Drop(x)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A request no cached block fits is built from cached blocks of other
// sizes (smaller ones moved together, a larger one split) instead of new
// memory, and the data written through the result is intact.
func TestAllocatorAssemblesFromCache(t *testing.T) {
	if Allocator() != "mfif" {
		t.Skipf("allocator is %q (MFIF_ALLOCATOR)", Allocator())
	}
	const mib = 1 << 18 // float32 elements in 1 MiB
	ones := func(n int64) *ts.Tensor { return ts.MustOnes([]int64{n * mib}, gotch.Float, gotch.CPU) }
	sum := func(x *ts.Tensor) float64 {
		v := x.MustSum(gotch.Float, false)
		defer Drop(v)
		return v.Float64Values()[0]
	}
	err := Run(func() error {
		ReleaseCache()
		a, b, c := ones(4), ones(4), ones(4)
		Drop(a, b, c)
		s0 := ReadAllocStats()
		if s0.Cached < 12<<20 {
			t.Fatalf("cached %d bytes after freeing three 4 MiB tensors", s0.Cached)
		}
		for _, n := range []int64{10, 2, 6} { // moved together (2 MiB spare), the spare, split
			x := ones(n)
			if got, want := sum(x), float64(n*mib); got != want {
				t.Errorf("%d MiB tensor sums to %v, want %v", n, got, want)
			}
			Drop(x)
		}
		s1 := ReadAllocStats()
		if s1.Maps != s0.Maps {
			t.Errorf("%d fresh mappings with 12 MiB cached, want 0", s1.Maps-s0.Maps)
		}
		if s1.Resizes-s0.Resizes < 2 {
			t.Errorf("%d requests built from cached blocks, want at least 2", s1.Resizes-s0.Resizes)
		}
		if s1.InUse+s1.Cached > s1.Peak {
			t.Errorf("mapped %d + %d bytes exceeds the in-use peak %d", s1.InUse, s1.Cached, s1.Peak)
		}
		ReleaseCache()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
