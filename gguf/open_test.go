package gguf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.gguf")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	empty := filepath.Join(dir, "empty.gguf")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	_, err := Open(empty)
	assert.ErrorContains(t, err, "empty.gguf: truncated at byte 0 reading magic")
	cut := filepath.Join(dir, "cut.gguf")
	require.NoError(t, os.WriteFile(cut, readFileT(t, storiesPath)[:5000], 0o644))
	if _, err := Open(cut); err == nil || !strings.HasPrefix(err.Error(), "gguf: "+cut+": ") {
		t.Errorf("truncated file: %v", err)
	}
}

func TestCloseReleasesTensorData(t *testing.T) {
	f, err := Open(storiesPath)
	require.NoError(t, err)
	ti, _ := f.Tensor("output_norm.weight")
	if len(f.TensorData(ti)) != 256 {
		t.Fatal("no data before Close")
	}
	require.NoError(t, f.Close())
	require.NoError(t, f.Close()) // idempotent
	if f.TensorData(ti) != nil {
		t.Error("TensorData after Close is not nil")
	}
	// Metadata outlives the mapping.
	assert.Equal(t, "</s>", must(f.Strings("tokenizer.ggml.tokens"))[2])
}

// TensorData refuses a TensorInfo that does not describe data inside the file.
func TestTensorDataForeignInfo(t *testing.T) {
	f := openT(t, storiesPath)
	cases := []TensorInfo{
		{Name: "huge", Dims: []uint64{1 << 40}, Offset: 0},
		{Name: "far", Dims: []uint64{1}, Offset: 1 << 62},
		{Name: "wrap", Dims: []uint64{1}, Offset: ^uint64(0) - 8},
		{Name: "badtype", Dims: []uint64{1}, Type: 99},
	}
	for _, ti := range cases {
		if f.TensorData(&ti) != nil {
			t.Errorf("%s: got data", ti.Name)
		}
	}
}
