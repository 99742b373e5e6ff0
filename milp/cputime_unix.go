//go:build unix

package milp

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far,
// over all its threads: the cost of work that the worker pool spreads over
// cores, which wall time on a shared machine does not measure.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
