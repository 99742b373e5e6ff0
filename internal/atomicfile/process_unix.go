//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// processGone reports whether no process has the given ID: signal 0 checks
// without signalling. A process of another user answers EPERM, and lives.
func processGone(pid int) bool {
	if pid <= 0 {
		return true
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
