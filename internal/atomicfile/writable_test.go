package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{existing, filepath.Join(dir, "new")} {
		if err := CheckWritable(path); err != nil {
			t.Errorf("CheckWritable(%s) = %v", path, err)
		}
	}
	missing := filepath.Join(dir, "missing", "out.svg")
	err := CheckWritable(missing)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("CheckWritable in a missing folder = %v", err)
	}
	mustNameOnly(t, err, missing)
	underFile := filepath.Join(existing, "out.svg")
	if err := CheckWritable(underFile); err == nil {
		t.Fatal("CheckWritable under a regular file succeeded")
	} else {
		mustNameOnly(t, err, underFile)
	}
	mustHold(t, dir, "existing")
	if got, _ := os.ReadFile(existing); string(got) != "x" {
		t.Fatal("CheckWritable changed the file")
	}
}

func TestCheckWritableReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only folders")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	path := filepath.Join(dir, "out")
	err := CheckWritable(path)
	if !errors.Is(err, os.ErrPermission) {
		t.Fatalf("CheckWritable in a read-only folder = %v", err)
	}
	mustNameOnly(t, err, path)
}
