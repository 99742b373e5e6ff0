package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/milp-lite/milp-lite/store"
	"github.com/milp-lite/milp-lite/store/storetest"
)

func TestDirContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		d, err := store.OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

// TestDirKeepsTheLayout: a Dir writes the files package milp and earlier
// servers use, so an existing store keeps working.
func TestDirKeepsTheLayout(t *testing.T) {
	root := t.TempDir()
	d, _ := store.OpenDir(root)
	ctx := context.Background()
	d.CreateUser(ctx, "alice")
	d.AddKey(ctx, "alice", "h")
	d.PutAdapter(ctx, "alice", []byte("gguf"), store.AdapterInfo{Source: "upload"}, 0)
	d.PutReport(ctx, "alice", []byte("{}"))
	d.PutJournal(ctx, "alice", []byte("{}\n"))
	d.PutJob(ctx, store.Job{ID: "job-1", User: "alice"})
	for _, f := range []string{"keys.json", "alice/adapter.gguf", "alice/adapter.json", "alice/report.json", "alice/search.jsonl", "jobs/job-1.json"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// An adapter the command line wrote, without a version file, is version 1.
	os.MkdirAll(filepath.Join(root, "bob"), 0o755)
	os.WriteFile(filepath.Join(root, "bob", "adapter.gguf"), []byte("x"), 0o644)
	if info, err := d.AdapterInfo(ctx, "bob"); err != nil || info.Version != 1 {
		t.Fatalf("a command-line adapter: %+v %v", info, err)
	}
}

func BenchmarkDirChat(b *testing.B) {
	d, err := store.OpenDir(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchChat(b, d)
}
