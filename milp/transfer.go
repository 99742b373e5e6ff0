package milp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/milp-lite/milp-lite/internal/filelock"
	"github.com/milp-lite/milp-lite/nn"
)

// Prior is what earlier searches on a model found: the placements that won
// them, with how often each won. A new user's search tries the most frequent
// winners first (after the standard placement), so it starts where earlier
// users' memories went; with nothing recorded yet it starts as it always
// did. It is kept per model, since a placement means nothing on another.
type Prior struct {
	Models map[string][]PriorWin `json:"models"` // by modelFingerprint
}

// PriorWin is one placement and the searches it won.
type PriorWin struct {
	Placement Placement `json:"placement"`
	Wins      int       `json:"wins"`
	Last      int       `json:"last"` // the recording that last added a win, to break ties by recency
}

// priorFile is the prior's file at the root of a store, beside the users.
const priorFile = "search-prior.json"

// PriorPath is where a store keeps its searches' prior.
func (s Store) PriorPath() string { return filepath.Join(s.Root, priorFile) }

// maxPriorWins bounds what a prior keeps per model: the winners a search
// could ever start from, and room for new ones to climb.
const maxPriorWins = 32

// LoadPrior reads the prior at path; a missing file is an empty prior.
func LoadPrior(path string) (*Prior, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Prior{Models: map[string][]PriorWin{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var p Prior
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: the search prior cannot be read (%v); move it away to start without one", path, err)
	}
	if p.Models == nil {
		p.Models = map[string][]PriorWin{}
	}
	for model, wins := range p.Models {
		for i := range wins {
			if err := wins[i].Placement.resolveSites(); err != nil {
				return nil, fmt.Errorf("%s: model %.60q: %w", path, model, err)
			}
		}
	}
	return &p, nil
}

// Starts are the k placements that won most often on m, most wins first
// (then the most recent), leaving out those in skip and any that do not fit
// m's layers.
func (p *Prior) Starts(m *nn.Model, k int, skip ...Placement) []Placement {
	wins := slices.Clone(p.Models[modelFingerprint(m)])
	slices.SortStableFunc(wins, func(a, b PriorWin) int {
		if a.Wins != b.Wins {
			return b.Wins - a.Wins
		}
		return b.Last - a.Last
	})
	var out []Placement
	for _, w := range wins {
		if len(out) == k {
			break
		}
		if !w.Placement.fits(m.Config.Layers) || slices.ContainsFunc(skip, w.Placement.same) {
			continue
		}
		out = append(out, w.Placement)
	}
	return out
}

// RecordWin adds a win of placement on m to the prior at path, under a lock
// so that concurrent main jobs of different users both count.
func RecordWin(path string, m *nn.Model, won Placement) error {
	lock, err := filelock.Acquire(path + ".lock")
	if err != nil {
		return err
	}
	defer lock.Unlock()
	p, err := LoadPrior(path)
	if err != nil {
		return err
	}
	key := modelFingerprint(m)
	wins := p.Models[key]
	last := 0
	for _, w := range wins {
		last = max(last, w.Last)
	}
	if i := slices.IndexFunc(wins, func(w PriorWin) bool { return w.Placement.same(won) }); i >= 0 {
		wins[i].Wins++
		wins[i].Last = last + 1
	} else {
		wins = append(wins, PriorWin{Placement: won, Wins: 1, Last: last + 1})
	}
	if len(wins) > maxPriorWins {
		// Forget the weakest, oldest winner.
		weakest := 0
		for i, w := range wins {
			if w.Wins < wins[weakest].Wins || w.Wins == wins[weakest].Wins && w.Last < wins[weakest].Last {
				weakest = i
			}
		}
		wins = slices.Delete(wins, weakest, weakest+1)
	}
	p.Models[key] = wins
	return WriteJSON(path, p)
}

// same says whether two placements are one point of the search space.
func (p Placement) same(q Placement) bool { return p.String() == q.String() }

// fits says whether the placement's layers exist in a model of n layers.
func (p Placement) fits(n int) bool {
	for _, l := range p.Layers {
		if l < 0 || l >= n {
			return false
		}
	}
	return len(p.Layers) > 0 && len(p.Sites) > 0
}

// resolveSites sets Sites from SiteNames, as a placement read from JSON
// has only the names.
func (p *Placement) resolveSites() error {
	p.Sites = p.Sites[:0]
	for _, name := range p.SiteNames {
		s, err := nn.ParseSite(name)
		if err != nil {
			return err
		}
		p.Sites = append(p.Sites, s)
	}
	return nil
}

// priorStarts is how many of earlier users' winners a search tries first.
const priorStarts = 2

// searchStarts are the placements a user's search tries first: the
// standard placement, then the winners the prior at path ("": none) holds
// for m.
func searchStarts(m *nn.Model, path string) ([]Placement, error) {
	fixed := FixedPlacement(m.Config.Layers)
	if path == "" {
		return []Placement{fixed}, nil
	}
	p, err := LoadPrior(path)
	if err != nil {
		return nil, err
	}
	return append([]Placement{fixed}, p.Starts(m, priorStarts, fixed)...), nil
}
