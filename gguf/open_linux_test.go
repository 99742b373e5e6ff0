//go:build linux

package gguf

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOpenRefusesWhatIsNotARegularFile: a device or a pipe has no size to
// bound the read by (/dev/zero never ends), so Open refuses it, naming the
// path, instead of reading until memory runs out.
func TestOpenRefusesWhatIsNotARegularFile(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = w.Write(readFileT(t, storiesPath)[:4096])
	require.NoError(t, err)
	require.NoError(t, w.Close())
	pipe := fmt.Sprintf("/proc/self/fd/%d", r.Fd())

	paths := []string{pipe, t.TempDir()}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	for _, path := range paths {
		_, err := Open(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Open(%s): %v, want an error naming it as not a regular file", path, err)
		}
	}
}
