package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// checkOutputs tells, before long work, whether each output file given can
// be written (its folder exists and takes files, nothing but a regular file
// is there), so that a typo in --out fails now rather than after training.
// Errors name the path as the user gave it; empty paths are skipped.
func checkOutputs(paths ...string) error {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if err := atomicfile.CheckWritable(p); err != nil {
			return err
		}
	}
	return nil
}

// prepareOutputDir makes the output folder dir (and its parents), as the
// command would after its work, and checks that it takes new files. Errors
// name dir.
func prepareOutputDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return naming("make folder", dir, err)
	}
	if err := atomicfile.CheckWritable(filepath.Join(dir, ".milp-lite-write-check")); err != nil {
		return naming("write to", dir, err)
	}
	return nil
}

// naming is err about path, whichever file or parent it named.
func naming(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: op, Path: path, Err: pe.Err}
	}
	return err
}
