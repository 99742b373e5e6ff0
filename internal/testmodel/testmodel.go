// Package testmodel loads the embedded default model for other packages'
// tests, so each does not carry its own copy of the loading code.
package testmodel

import (
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/models"
	"github.com/milp-lite/milp-lite/nn"
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
