//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A named pipe stands in for /dev/null and other devices: refusing it is the
// same check, and a test that failed it would not replace a real device.
func TestWriteRefusesANamedPipe(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	link := filepath.Join(dir, "link")
	mustSymlink(t, "pipe", link)
	mustRefuse(t, pipe, link)
	if info, err := os.Lstat(pipe); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatal("the pipe was replaced")
	}
	mustHold(t, dir, "link", "pipe")
}

func TestProcessGone(t *testing.T) {
	if processGone(os.Getpid()) || processGone(os.Getppid()) {
		t.Fatal("a live process counts as gone")
	}
	if !processGone(deadPID) {
		t.Fatalf("process %d counts as alive", deadPID)
	}
}
