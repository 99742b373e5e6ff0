package milp

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

func TestPriorStartsFromMostFrequentWinners(t *testing.T) {
	m := defaultModel(t)
	path := filepath.Join(t.TempDir(), priorFile)
	fixed := FixedPlacement(m.Config.Layers)
	// A fresh store: the search starts as it always did.
	if starts, err := searchStarts(m, path); err != nil || !reflect.DeepEqual(starts, []Placement{fixed}) {
		t.Fatalf("fresh prior: %v, %v", starts, err)
	}
	a := newPlacement([]int{0, 2}, []nn.Site{nn.SiteDown}, 4, 1, 1e-3)
	b := newPlacement([]int{4}, []nn.Site{nn.SiteGate, nn.SiteUp}, 16, 2, 3e-3)
	c := newPlacement([]int{1}, []nn.Site{nn.SiteUp}, 2, 1, 1e-2)
	for _, p := range []Placement{a, fixed, b, c, b, fixed, c} {
		if err := RecordWin(path, m, p); err != nil {
			t.Fatal(err)
		}
	}
	starts, err := searchStarts(m, path)
	if err != nil {
		t.Fatal(err)
	}
	// The fixed placement first, always; then the two most frequent other
	// winners, the tie between b and c broken by the more recent (c).
	want := []string{fixed.String(), c.String(), b.String()}
	if len(starts) != len(want) {
		t.Fatalf("starts %v, want %v", starts, want)
	}
	for i := range want {
		if starts[i].String() != want[i] || len(starts[i].Sites) != len(starts[i].SiteNames) {
			t.Fatalf("start %d: %v (sites %v), want %s", i, starts[i], starts[i].Sites, want[i])
		}
	}
	// Another model learns nothing from this one's winners.
	other := testmodel.Synthetic(t, nn.Shape{Arch: "llama", Dim: 32, Layers: 5, Heads: 4, KVHeads: 4, FFNDim: 64, Vocab: 300, Context: 64}, quant.F32, 1)
	if got := (&Prior{}).Starts(other, 2); len(got) != 0 {
		t.Fatalf("an empty prior starts %v", got)
	}
	p, _ := LoadPrior(path)
	if got := p.Starts(other, 2); len(got) != 0 {
		t.Fatalf("another model starts from this one's winners: %v", got)
	}
	// A damaged prior is one clear error naming it, never a panic.
	os.WriteFile(path, []byte(`{"models": {"x": [{"placement": {"sites": ["nowhere"]}}]}}`), 0o644)
	if _, err := searchStarts(m, path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("damaged prior: %v", err)
	}
	os.WriteFile(path, []byte(`{"models": [`), 0o644)
	if _, err := LoadPrior(path); err == nil || !strings.Contains(err.Error(), "move it away") {
		t.Fatalf("torn prior: %v", err)
	}
}

func TestPriorKeepsABoundedNumberOfWinners(t *testing.T) {
	m := defaultModel(t)
	path := filepath.Join(t.TempDir(), priorFile)
	fixed := FixedPlacement(m.Config.Layers)
	if err := RecordWin(path, m, fixed); err != nil {
		t.Fatal(err)
	}
	RecordWin(path, m, fixed)
	for r := 1; r <= maxPriorWins+5; r++ {
		if err := RecordWin(path, m, newPlacement([]int{0}, []nn.Site{nn.SiteUp}, r, 1, 1e-3)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := LoadPrior(path)
	if err != nil {
		t.Fatal(err)
	}
	wins := p.Models[modelFingerprint(m)]
	if len(wins) != maxPriorWins || !wins[0].Placement.same(fixed) || wins[0].Wins != 2 {
		t.Fatalf("%d winners kept (want %d), first %v with %d wins", len(wins), maxPriorWins, wins[0].Placement, wins[0].Wins)
	}
	// The oldest single wins went first.
	for _, w := range wins {
		if w.Placement.Rank <= 5 && w.Placement.LorasPerSite == 1 && len(w.Placement.Layers) == 1 {
			t.Fatalf("an old single win survived: %v", w.Placement)
		}
	}
}
