//go:build !unix

package cputime

import "time"

// Process is the CPU time the process has used, where the system reports
// it: here it does not.
func Process() (time.Duration, bool) { return 0, false }
