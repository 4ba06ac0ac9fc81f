package backend

import "runtime"

// MaxThreads is the largest libtorch thread count mfif accepts (--threads,
// train.threads): four per core, at least 4. More threads than that only
// add contention, and a typo such as 100000 would otherwise start
// thousands of OS threads.
func MaxThreads() int { return max(4, 4*runtime.NumCPU()) }
