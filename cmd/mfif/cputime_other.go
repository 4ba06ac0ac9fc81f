//go:build !unix

package main

import (
	"os"
	"time"
)

// processCPU is not measured on this platform (bench prints 0).
func processCPU() time.Duration { return 0 }

// childPeakRSS is not measured on this platform.
func childPeakRSS(*os.ProcessState) int64 { return 0 }
