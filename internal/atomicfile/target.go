package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotRegular is what refusing to replace a directory, device, pipe or
// socket wraps; test for it with errors.Is.
var ErrNotRegular = errors.New("not a regular file")

// maxLinks bounds a chain of symbolic links, as the kernel's ELOOP does.
const maxLinks = 40

// notRegular says what the path is instead of a regular file.
type notRegular struct{ kind string }

func (e notRegular) Error() string        { return "is a " + e.kind + ", not a regular file" }
func (e notRegular) Is(target error) bool { return target == ErrNotRegular }

// resolve follows symbolic links from path to the file a write replaces and
// returns it with its information, or nil information when it does not exist
// yet. Anything there that is not a regular file is refused.
func resolve(path string) (target string, info fs.FileInfo, err error) {
	target = path
	for range maxLinks {
		info, err = os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			return target, nil, nil
		}
		if err != nil {
			return "", nil, renamed("write", path, err)
		}
		mode := info.Mode()
		if mode&fs.ModeSymlink == 0 {
			if !mode.IsRegular() {
				return "", nil, &fs.PathError{Op: "write", Path: path, Err: notRegular{kindOf(mode)}}
			}
			return target, info, nil
		}
		link, err := os.Readlink(target)
		if err != nil {
			return "", nil, renamed("write", path, err)
		}
		if !filepath.IsAbs(link) {
			// Not filepath.Join: cleaning "dir/../x" lexically is wrong when
			// dir is itself a link.
			dir, _ := filepath.Split(target)
			link = dir + link
		}
		target = link
	}
	return "", nil, &fs.PathError{Op: "write", Path: path, Err: errors.New("too many levels of symbolic links")}
}

func kindOf(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "directory"
	case mode&fs.ModeDevice != 0:
		return "device"
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe"
	case mode&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// splitDir is filepath.Split with "." for a bare name.
func splitDir(path string) (dir, base string) {
	dir, base = filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	return dir, base
}

// renamed reports err, which may name a temporary file, under the path the
// caller gave, keeping its cause for errors.Is.
func renamed(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}

// namedWriter is the temporary file as the caller's write sees it: its
// errors (a full disk, say) name the caller's path.
type namedWriter struct {
	f    *os.File
	path string
}

func (w namedWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = renamed("write", w.path, err)
	}
	return n, err
}
