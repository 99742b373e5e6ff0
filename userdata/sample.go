package userdata

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// sample holds five Synthetic-Persona-Chat users (CC-BY 4.0, see
// sample/README.md), so the main job runs with no data at hand.
//
//go:embed sample/*.jsonl
var sample embed.FS

// Sample returns the embedded sample users, sorted by ID.
func Sample() ([]User, error) {
	names, err := fs.Glob(sample, "sample/*"+FileExt)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	users := make([]User, 0, len(names))
	for _, name := range names {
		f, err := sample.Open(name)
		if err != nil {
			return nil, err
		}
		id := path.Base(name)[:len(path.Base(name))-len(FileExt)]
		u, err := parseUserFile(f, name, id)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("embedded sample: %w", err)
		}
		users = append(users, u)
	}
	return users, nil
}
