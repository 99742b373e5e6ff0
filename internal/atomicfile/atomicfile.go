// Package atomicfile writes files so that a reader, or a crash, never sees a
// half-written one: the data goes to a temporary file in the target's
// directory (a rename is atomic only within one file system), is synced, and
// is then renamed over the target, and the directory is synced so that the
// rename itself survives a crash.
//
// It replaces only regular files: a directory, a device, a pipe or a socket
// at the path is refused, so that "--out /dev/null" run as root cannot
// replace the device. A symbolic link is written through: its target is
// replaced and the link stays a link. Errors name the path the caller gave,
// never the temporary file.
package atomicfile

import (
	"bufio"
	"io"
	"io/fs"
	"os"
)

// newFileMode is the mode of a file that did not exist before; a replaced
// file keeps its own.
const newFileMode fs.FileMode = 0o644

// Write replaces path with what write produces. On any failure the temporary
// file is removed and path is left as it was.
func Write(path string, write func(w io.Writer) error) (err error) {
	target, info, err := resolve(path)
	if err != nil {
		return err
	}
	dir, base := splitDir(target)
	removeStale(dir, base)
	tmp, err := createTemp(dir, base)
	if err != nil {
		return renamed("write", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(namedWriter{tmp, path}, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	mode := newFileMode
	if info != nil {
		mode = info.Mode().Perm()
	}
	if err = tmp.Chmod(mode); err != nil {
		return renamed("chmod", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return renamed("sync", path, err)
	}
	if err = tmp.Close(); err != nil {
		return renamed("close", path, err)
	}
	// The write may have taken minutes: look again at what is about to be
	// replaced, so that a directory or device put there meanwhile survives.
	if _, _, err = resolve(path); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return renamed("rename", path, err)
	}
	SyncDir(dir)
	return nil
}

// WriteFile replaces path with data.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// SyncDir makes a rename or removal in dir durable. Best effort: some file
// systems cannot sync a directory, and by then the data itself is synced and
// the rename done, so failing the write would report a change that happened.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
