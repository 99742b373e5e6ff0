//go:build !unix

package kernels

import "time"

// processCPUTime is not measured here: benchmarks report wall time only.
func processCPUTime() time.Duration { return 0 }
