//go:build unix

package kernels

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time this process has used (user and system).
// On a machine shared with other jobs, a single-threaded benchmark's CPU
// time per operation does not count the time it waited to be scheduled.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
