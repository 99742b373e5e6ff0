//go:build !unix

package milp

import "time"

var processStart = time.Now()

// cpuTime is, where the process's CPU time is not read, its wall time: an
// upper bound on one core's share, and the costs compare as ratios still.
func cpuTime() time.Duration { return time.Since(processStart) }
