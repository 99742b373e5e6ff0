//go:build !unix

package gguf

import (
	"errors"
	"os"
)

// mapFile is unavailable on this platform; Open falls back to reading the file.
func mapFile(*os.File, int) ([]byte, func() error, error) {
	return nil, nil, errors.New("mmap not supported on this platform")
}
