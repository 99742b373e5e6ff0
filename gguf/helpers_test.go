package gguf

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func readFileT(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}
