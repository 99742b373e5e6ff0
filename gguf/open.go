package gguf

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
)

// Open maps the file at path read-only (or, where mapping is unavailable or
// fails, reads it into memory), then parses and validates it like Parse. Close
// the File to release the mapping. As with any mapping, the file must not be
// truncated while the File is open.
func Open(path string) (*File, error) {
	data, unmap, err := load(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	f, err := parse(data)
	if err != nil {
		if unmap != nil {
			unmap()
		}
		return nil, fmt.Errorf("gguf: %s: %w", path, err)
	}
	f.unmap = unmap
	return f, nil
}

// load returns the file's bytes: a read-only mapping with its release function
// when possible, else the contents read into memory (and a nil release). Only
// a regular file is read: a device or a pipe has no size to bound the read
// (/dev/zero never ends), and a read is never longer than the size Stat gave.
func load(path string) ([]byte, func() error, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer file.Close() // a mapping outlives its descriptor
	st, err := file.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file (%s)", path, fileKind(st.Mode()))
	}
	size := st.Size()
	if size > math.MaxInt {
		return nil, nil, fmt.Errorf("%s: %d bytes is larger than this platform can address", path, size)
	}
	if size > 0 {
		if data, unmap, err := mapFile(file, int(size)); err == nil {
			return data, unmap, nil
		}
	}
	data, err := io.ReadAll(io.LimitReader(file, size))
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data, nil, nil
}

// fileKinds name what a path that is not a regular file may be, most
// specific mode bit first (a character device also has ModeDevice).
var fileKinds = []struct {
	bit  fs.FileMode
	name string
}{
	{fs.ModeDir, "a directory"},
	{fs.ModeCharDevice, "a character device"},
	{fs.ModeDevice, "a block device"},
	{fs.ModeNamedPipe, "a pipe"},
	{fs.ModeSocket, "a socket"},
}

// fileKind names what a path that is not a regular file is.
func fileKind(m fs.FileMode) string {
	for _, k := range fileKinds {
		if m&k.bit != 0 {
			return k.name
		}
	}
	return "mode " + m.String()
}
