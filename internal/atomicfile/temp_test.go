package atomicfile

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// deadPID is above Linux's largest process ID (2^22), so no process has it.
const deadPID = 1<<22 + 1

func TestWriteRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	self, parent := strconv.Itoa(os.Getpid()), strconv.Itoa(os.Getppid())
	files := map[string]bool{ // name: whether the next write of a.gguf removes it
		".a.gguf.tmp-" + strconv.Itoa(deadPID) + "-123": true,  // its writer was killed
		".a.gguf.tmp-9999999999":                        true,  // the older naming, random digits
		".a.gguf.tmp-" + parent + "-7":                  false, // a live writer's
		".a.gguf.tmp-" + self + "-8":                    false, // maybe another goroutine's
		".a.gguf.tmp-" + parent + "-9":                  true,  // live ID, but untouched for days
		".b.gguf.tmp-" + strconv.Itoa(deadPID) + "-1":   false, // another target's
		".a.gguf.tmp-notes":                             false, // not a temporary's name
		".a.gguf.tmp-12-x":                              false,
		"a.gguf.tmp-" + strconv.Itoa(deadPID) + "-1":    false, // not hidden: not ours
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleAge)
	if err := os.Chtimes(filepath.Join(dir, ".a.gguf.tmp-"+parent+"-9"), old, old); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "a.gguf"), []byte("model")); err != nil {
		t.Fatal(err)
	}
	for name, removed := range files {
		_, err := os.Lstat(filepath.Join(dir, name))
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed %v, want %v", name, gone, removed)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.gguf")); string(got) != "model" {
		t.Fatalf("a.gguf holds %q", got)
	}
}

func TestTemporaryNamesCarryThePID(t *testing.T) {
	dir := t.TempDir()
	f, err := createTemp(dir, "a.gguf")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	pid, ok := tempWriter(filepath.Base(f.Name()), tempPrefix("a.gguf"))
	if !ok || pid != os.Getpid() {
		t.Fatalf("temporary %s read as writer %d (%v), want %d", f.Name(), pid, ok, os.Getpid())
	}
}
