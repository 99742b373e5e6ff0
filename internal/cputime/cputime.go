// Package cputime reads the CPU time the process has used: the cost of work
// the worker pool spreads over cores, which wall time on a machine shared
// with other jobs does not measure (their processes stretch it, not this).
package cputime

import "time"

var processStart = time.Now()

// ProcessOrWall is Process where the system reports it, else the wall time
// since the process started: an upper bound on one core's share, so costs
// still compare as ratios.
func ProcessOrWall() time.Duration {
	if d, ok := Process(); ok {
		return d
	}
	return time.Since(processStart)
}
