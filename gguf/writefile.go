package gguf

import (
	"io"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// WriteFile writes the GGUF file to path atomically (see atomicfile.Write):
// path never holds a partial file, and on error it is untouched.
func (b *Builder) WriteFile(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := b.WriteTo(w)
		return err
	})
}
