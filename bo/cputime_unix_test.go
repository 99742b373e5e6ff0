//go:build unix

package bo

import (
	"syscall"
	"time"
)

// cpuTime is the process's CPU time so far (user and system): what a
// speed test holds to a limit, since other tests' processes sharing the
// machine stretch wall time, not it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
