//go:build !unix

package atomicfile

// processGone cannot tell here, so stale temporary files are recognised by
// their age alone.
func processGone(pid int) bool { return pid <= 0 }
