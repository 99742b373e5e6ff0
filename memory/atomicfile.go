package memory

import (
	"fmt"
	"os"
	"path/filepath"
)

// syncFile flushes a file to stable storage. It is a variable so tests can
// make it fail and check that a failed write leaves the old file untouched.
var syncFile = (*os.File).Sync

// writeFileAtomic replaces path with data: temp file in the same directory
// (rename is atomic only within one file system), fsync, rename, then fsync
// of the directory so the rename itself survives a crash. On failure the temp
// file is removed and path is left as it was.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("memory: create temp file in %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("memory: write %s: %w", tmp.Name(), err)
	}
	if err = syncFile(tmp); err != nil {
		return fmt.Errorf("memory: sync %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("memory: close %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("memory: rename %s to %s: %w", tmp.Name(), path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename or removal in dir durable. Best effort: some file
// systems do not support fsync on directories, and the data itself is already
// safe, so a failure here is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
