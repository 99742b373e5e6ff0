package atomicfile

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A temporary file is named ".<base>.tmp-<pid>-<random>", beside its target:
// hidden, tied to the target's name, and carrying the writer's process ID so
// that one left by a killed writer can be told from one being written now.
//
// staleAge is how long a temporary file may go unmodified before it counts
// as abandoned whoever wrote it: a live writer keeps writing to it, so this
// catches a process ID reused since the writer died, and files written by
// another machine sharing the directory, whose process IDs mean nothing here.
const staleAge = 24 * time.Hour

func tempPrefix(base string) string { return "." + base + ".tmp-" }

// createTemp creates a new temporary file for base in dir.
func createTemp(dir, base string) (*os.File, error) {
	return os.CreateTemp(dir, tempPrefix(base)+strconv.Itoa(os.Getpid())+"-*")
}

// removeStale removes the temporary files of base in dir that no live writer
// owns: those of a process that has gone, and those unmodified for staleAge.
// This process is alive, so the files of other goroutines writing the same
// target are kept. Best effort: a file that cannot be removed
// only takes space.
func removeStale(dir, base string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	prefix := tempPrefix(base)
	for _, name := range names {
		pid, ok := tempWriter(name, prefix)
		if !ok {
			continue
		}
		path := filepath.Join(dir, name)
		if processGone(pid) {
			os.Remove(path)
			continue
		}
		if info, err := os.Lstat(path); err == nil && info.Mode().IsRegular() && time.Since(info.ModTime()) > staleAge {
			os.Remove(path)
		}
	}
}

// tempWriter returns the process ID in a temporary file's name, and whether
// name is a temporary file of the target whose prefix is given: only
// "<prefix><digits>-<digits>" and the older "<prefix><digits>" qualify (in
// the older names the digits were random, so no process has them, or one is
// kept until staleAge). Names of other files that share the prefix, such as
// another target's temporaries, do not qualify.
func tempWriter(name, prefix string) (pid int, ok bool) {
	rest, found := strings.CutPrefix(name, prefix)
	if !found {
		return 0, false
	}
	id, random, twoParts := strings.Cut(rest, "-")
	if !allDigits(id) || (twoParts && !allDigits(random)) {
		return 0, false
	}
	pid, err := strconv.Atoi(id)
	if err != nil || pid <= 0 || pid > maxPID {
		// Too large to be any process's ID: not a live writer's.
		return 0, true
	}
	return pid, true
}

// maxPID is above every process ID the supported systems hand out.
const maxPID = 1<<31 - 1

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
