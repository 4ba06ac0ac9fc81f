package data

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// Batch is one group of consecutive samples from a Loader. Err is set (and
// Samples nil) when a sample could not be loaded; the epoch ends after it.
type Batch struct {
	Samples []Sample
	Err     error
}

// Loader yields batches of a dataset, optionally shuffled and augmented,
// prepared by worker goroutines while the consumer trains. The order and
// augmentation depend only on (Seed, epoch, sample index), so resuming at
// epoch k reproduces the batches of an uninterrupted run exactly.
type Loader struct {
	ds      Dataset
	batch   int
	shuffle bool
	augment bool
	seed    int64
	workers int
	// DropLast skips a final batch smaller than the batch size.
	DropLast bool
	// Prefetch is how many batches may be prepared ahead of the consumer
	// (default 2 x workers).
	Prefetch int
}

// NewLoader returns a loader over ds with the given batch size (at least
// 1), shuffling and augmentation switches, seed and worker count (<= 0:
// GOMAXPROCS).
func NewLoader(ds Dataset, batch int, shuffle bool, augment bool, seed int64, workers int) *Loader {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Loader{ds: ds, batch: max(batch, 1), shuffle: shuffle, augment: augment, seed: seed, workers: workers}
}

// NumBatches is the number of batches per epoch.
func (l *Loader) NumBatches() int {
	n := l.ds.Len()
	if l.DropLast {
		return n / l.batch
	}
	return (n + l.batch - 1) / l.batch
}

// Order returns the dataset indices of the given epoch in delivery order:
// 0..n-1, or a permutation drawn from (seed, epoch) when shuffling.
func (l *Loader) Order(epoch int) []int {
	n := l.ds.Len()
	if !l.shuffle {
		o := make([]int, n)
		for i := range o {
			o[i] = i
		}
		return o
	}
	return newRNG(l.seed, 0x0d, uint64(epoch)).perm(n)
}

// Epoch streams the batches of one epoch, in order, then closes the
// channel. The consumer should drain it; use EpochContext to stop early.
func (l *Loader) Epoch(epoch int) <-chan Batch {
	return l.EpochContext(context.Background(), epoch)
}

// EpochContext is Epoch with cancellation: after ctx is done no further
// batches are sent and the worker goroutines exit.
func (l *Loader) EpochContext(ctx context.Context, epoch int) <-chan Batch {
	ctx, cancel := context.WithCancel(ctx)
	order := l.Order(epoch)
	nb := l.NumBatches()
	prefetch := l.Prefetch
	if prefetch <= 0 {
		prefetch = 2 * l.workers
	}
	out := make(chan Batch)
	slots := make([]chan Batch, nb)
	for i := range slots {
		slots[i] = make(chan Batch, 1)
	}
	jobs := make(chan int)
	sem := make(chan struct{}, prefetch)
	var wg sync.WaitGroup
	for w := 0; w < l.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				slots[b] <- l.makeBatch(epoch, order, b)
			}
		}()
	}
	go func() { // dispatcher: at most prefetch batches ahead of delivery
		defer close(jobs)
		for b := 0; b < nb; b++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { // deliverer: in batch order
		defer close(out)
		defer wg.Wait()
		defer cancel() // releases the dispatcher after an error or early stop
		for b := 0; b < nb; b++ {
			var bt Batch
			select {
			case bt = <-slots[b]:
			case <-ctx.Done():
				return
			}
			<-sem
			select {
			case out <- bt:
			case <-ctx.Done():
				return
			}
			if bt.Err != nil {
				return
			}
		}
	}()
	return out
}

// makeBatch loads and augments batch b of an epoch.
func (l *Loader) makeBatch(epoch int, order []int, b int) Batch {
	lo := b * l.batch
	hi := min(lo+l.batch, len(order))
	samples := make([]Sample, 0, hi-lo)
	for _, idx := range order[lo:hi] {
		s, err := l.ds.Get(idx)
		if err != nil {
			return Batch{Err: fmt.Errorf("epoch %d batch %d sample %d: %w", epoch, b, idx, err)}
		}
		if l.augment {
			s = ApplyAug(s, AugFor(l.seed, epoch, idx))
		}
		samples = append(samples, s)
	}
	return Batch{Samples: samples}
}

// Aug is one augmentation choice.
type Aug struct {
	// FlipH mirrors left-right, FlipV top-bottom.
	FlipH, FlipV bool
	// Swap exchanges sources 1 and 2 and inverts the target.
	Swap bool
}

// AugFor returns the augmentation the loader applies to sample idx in
// epoch for a given seed: each of FlipH, FlipV and Swap with probability
// 1/2, independently.
func AugFor(seed int64, epoch, idx int) Aug {
	r := newRNG(seed, 0xa9, uint64(epoch), uint64(idx))
	return Aug{FlipH: r.coin(), FlipV: r.coin(), Swap: r.coin()}
}

// ApplyAug returns a transformed copy of s (s itself is not modified). A
// swap needs exactly two sources and is skipped otherwise.
func ApplyAug(s Sample, a Aug) Sample {
	f := func(m *Image) *Image {
		if m == nil {
			return nil
		}
		return flip(m, a.FlipH, a.FlipV)
	}
	out := Sample{Target: f(s.Target), Ignore: f(s.Ignore), Truth: f(s.Truth)}
	for _, m := range s.Sources {
		out.Sources = append(out.Sources, f(m))
	}
	if a.Swap && len(out.Sources) == 2 {
		out.Sources[0], out.Sources[1] = out.Sources[1], out.Sources[0]
		if out.Target != nil {
			for i, v := range out.Target.Planes[0] {
				out.Target.Planes[0][i] = 1 - v
			}
		}
	}
	return out
}

// flip returns a mirrored copy (a plain copy when neither flag is set).
func flip(m *Image, h, v bool) *Image {
	out := &Image{W: m.W, H: m.H, Depth: m.Depth, Planes: make([][]float64, m.C())}
	for c, p := range m.Planes {
		o := make([]float64, len(p))
		for y := 0; y < m.H; y++ {
			sy := y
			if v {
				sy = m.H - 1 - y
			}
			src, dst := p[sy*m.W:(sy+1)*m.W], o[y*m.W:(y+1)*m.W]
			if h {
				for x := range dst {
					dst[x] = src[m.W-1-x]
				}
			} else {
				copy(dst, src)
			}
		}
		out.Planes[c] = o
	}
	return out
}
