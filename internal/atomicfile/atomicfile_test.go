package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteFile(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("a failed write changed the file to %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("a failed write left %d files behind", len(entries))
	}
	if err := WriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("file holds %q after a write of \"new\"", got)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Fatal("a write into a missing directory succeeded")
	}
}

func TestWriteKeepsModeOfReplacedFile(t *testing.T) {
	dir := t.TempDir()
	fresh, private := filepath.Join(dir, "fresh"), filepath.Join(dir, "private")
	if err := os.WriteFile(private, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{fresh: 0o644, private: 0o600} {
		if err := WriteFile(path, []byte("new")); err != nil {
			t.Fatal(err)
		}
		if info, _ := os.Stat(path); info.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", filepath.Base(path), info.Mode().Perm(), want)
		}
	}
}

func TestWriteRefusesADirectory(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	mustSymlink(t, "out", link)
	mustRefuse(t, out, link)
	if info, err := os.Lstat(out); err != nil || !info.IsDir() {
		t.Fatal("the directory was replaced")
	}
	mustHold(t, dir, "link", "out")
}

func TestWriteGoesThroughSymlinks(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "real", "model.gguf")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A chain: an absolute link to a relative one that climbs out of its folder.
	if err := os.Mkdir(filepath.Join(dir, "links"), 0o755); err != nil {
		t.Fatal(err)
	}
	relative := filepath.Join(dir, "links", "relative")
	absolute := filepath.Join(dir, "absolute")
	mustSymlink(t, filepath.Join("..", "real", "model.gguf"), relative)
	mustSymlink(t, relative, absolute)
	if err := WriteFile(absolute, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != "new" {
		t.Fatalf("the link's target holds %q", got)
	}
	for _, link := range []string{relative, absolute} {
		if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a link", link)
		}
	}
	if info, _ := os.Stat(target); info.Mode().Perm() != 0o600 {
		t.Errorf("the target's mode became %v", info.Mode().Perm())
	}
	mustHold(t, filepath.Join(dir, "real"), "model.gguf")

	// A dangling link is written through too: its target is created.
	dangling := filepath.Join(dir, "dangling")
	mustSymlink(t, filepath.Join("real", "later.gguf"), dangling)
	if err := WriteFile(dangling, []byte("created")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "real", "later.gguf")); string(got) != "created" {
		t.Fatalf("the dangling link's target holds %q", got)
	}
	if info, _ := os.Lstat(dangling); info.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the dangling link was replaced")
	}

	loop := filepath.Join(dir, "loop")
	mustSymlink(t, "loop", loop)
	if err := WriteFile(loop, nil); err == nil {
		t.Fatal("a link to itself was written")
	} else {
		mustNameOnly(t, err, loop)
	}
}

func TestWriteErrorsNameTheCallersPath(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing", "f")
	err := WriteFile(missing, nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("write into a missing directory: %v", err)
	}
	mustNameOnly(t, err, missing)

	// The writer the callback gets reports its file's errors (a full disk,
	// say) under the caller's path.
	f, err := os.CreateTemp(dir, ".x.tmp-*")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = namedWriter{f, "out.gguf"}.Write([]byte("x"))
	if !errors.Is(err, os.ErrClosed) {
		t.Fatalf("write to a closed file: %v", err)
	}
	mustNameOnly(t, err, "out.gguf")
}

func TestWriteRefusesWhatAppearedDuringTheWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("data"))
		return os.Mkdir(path, 0o755) // someone makes a directory there meanwhile
	})
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("replacing a directory made during the write: %v", err)
	}
	mustNameOnly(t, err, path)
	if info, err := os.Lstat(path); err != nil || !info.IsDir() {
		t.Fatal("the directory was replaced")
	}
	mustHold(t, dir, "out")
}

// mustRefuse fails unless Write and CheckWritable refuse each path as not
// a regular file, naming it.
func mustRefuse(t *testing.T, paths ...string) {
	t.Helper()
	for _, path := range paths {
		err := WriteFile(path, []byte("x"))
		if !errors.Is(err, ErrNotRegular) {
			t.Fatalf("writing over %s: %v, want ErrNotRegular", path, err)
		}
		mustNameOnly(t, err, path)
		if err := CheckWritable(path); !errors.Is(err, ErrNotRegular) {
			t.Fatalf("CheckWritable(%s) = %v, want ErrNotRegular", path, err)
		}
	}
}

// mustNameOnly fails unless err's message names path and no temporary file.
func mustNameOnly(t *testing.T, err error, path string) {
	t.Helper()
	if msg := err.Error(); !strings.Contains(msg, path) || strings.Contains(msg, ".tmp-") {
		t.Fatalf("error %q should name %s and no temporary file", msg, path)
	}
}

// mustHold fails unless dir holds exactly the named entries.
func mustHold(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}

func mustSymlink(t *testing.T, old, link string) {
	t.Helper()
	if err := os.Symlink(old, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}
