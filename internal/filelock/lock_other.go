//go:build !unix && !windows

package filelock

import "os"

// lockFile cannot lock across processes on this system (Plan 9, WebAssembly):
// there, one process at a time may use a store.
func lockFile(*os.File, bool) error { return nil }

func unlockFile(*os.File) error { return nil }
