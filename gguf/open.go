package gguf

import (
	"fmt"
	"io"
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
// when possible, else the contents read into memory (and a nil release).
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
	size := st.Size()
	if size > 0 && size <= math.MaxInt && st.Mode().IsRegular() {
		if data, unmap, err := mapFile(file, int(size)); err == nil {
			return data, unmap, nil
		}
	}
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data, nil, nil
}
