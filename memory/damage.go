package memory

import (
	"fmt"
	"time"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// DamagedSuffix begins the name a damaged tail is kept under:
// short_term.jsonl.damaged-<UTC time>.
const DamagedSuffix = ".damaged-"

// Damage is a damaged tail of a short-term file (invalid lines after the
// last valid one, as a torn write or outside damage leaves) that was moved
// aside: the valid turns before it still serve, and the damaged bytes are
// kept, never deleted.
type Damage struct {
	Path   string // the short-term file
	Line   int    // the first damaged line, 1-based
	Err    error  // what is wrong with it
	KeptAt string // the file now holding the damaged bytes
	Turns  int    // valid turns kept in the store
}

func (d Damage) String() string {
	return fmt.Sprintf("%s:%d: damaged tail (%v) moved to %s; the %d turns before it are kept",
		d.Path, d.Line, d.Err, d.KeptAt, d.Turns)
}

// current reads the store, setting a damaged tail aside first: the damaged
// bytes are written to a file of their own, then the store is rewritten
// without them, so a crash in between keeps both. The caller holds the lock.
func (s *Store) current() (contents, error) {
	c, err := readContents(s.path)
	if err != nil || c.tail == nil {
		return c, err
	}
	d := Damage{Path: s.path, Line: c.tailLine, Err: c.tail, Turns: len(c.turns),
		KeptAt: s.path + DamagedSuffix + time.Now().UTC().Format("20060102T150405.000000000Z")}
	if err := atomicfile.WriteFile(d.KeptAt, c.data[c.tailFrom:]); err != nil {
		return c, fmt.Errorf("memory: set aside the damaged tail of %s: %w", s.path, err)
	}
	c.data = c.data[:c.tailFrom]
	if err := atomicfile.WriteFile(s.path, c.data); err != nil {
		return c, fmt.Errorf("memory: %w", err)
	}
	c.tail = nil
	if s.OnDamage != nil {
		s.OnDamage(d)
	}
	return c, nil
}
