// Package testmodel loads the embedded default model for other packages'
// tests, so each does not carry its own copy of the loading code.
package testmodel

import (
	"path/filepath"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/models"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// Default is stories260K, parsed from the embedded bytes; a failure fails t.
func Default(t testing.TB) *nn.Model {
	t.Helper()
	f, err := gguf.Parse(models.Stories260K)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// SyntheticFile writes a model of shape s and weight type typ with the
// project's GGUF writer (random weights from seed) into t's temporary
// folder and returns its path.
func SyntheticFile(t testing.TB, s nn.Shape, typ quant.Type, seed uint64) string {
	t.Helper()
	b, err := nn.Synthesize(s, typ, seed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// Synthetic is SyntheticFile opened, closed when t ends.
func Synthetic(t testing.TB, s nn.Shape, typ quant.Type, seed uint64) *nn.Model {
	t.Helper()
	m, err := nn.Open(SyntheticFile(t, s, typ, seed))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
