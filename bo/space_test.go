package bo

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func mixedSpace(t *testing.T) *Space {
	t.Helper()
	s, err := NewSpace(
		Float("lr", 1e-5, 1e-1, true),
		Float("dropout", 0, 0.5, false),
		Int("rank", 1, 64, true),
		Int("loras", 1, 4, false),
		Categorical("act", "relu", "gelu", "silu"),
		BoolVector("layers", 6, 1),
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSpaceEncodeDecodeRoundTrip(t *testing.T) {
	s := mixedSpace(t)
	if s.Dim() != 1+1+1+1+3+6 || s.DesignDim() != 1+1+1+1+1+6 {
		t.Fatalf("dims %d/%d", s.Dim(), s.DesignDim())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		c, err := s.Sample(rng)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(c); err != nil {
			t.Fatal(err)
		}
		f, err := s.Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range f {
			if v < 0 || v > 1 {
				t.Fatalf("feature %g outside the unit cube", v)
			}
		}
		back := s.Decode(f)
		assertClose(t, "lr", back.Float("lr"), c.Float("lr"), 1e-12)
		assertClose(t, "dropout", back.Float("dropout"), c.Float("dropout"), 1e-12)
		back["lr"], back["dropout"] = c["lr"], c["dropout"]
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("round trip: %v → %v", c, back)
		}
		// And through JSON, as the journal does.
		raw := map[string]any{}
		b, _ := json.Marshal(c)
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		n, err := s.Normalize(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(n, c) {
			t.Fatalf("JSON round trip: %v → %v", c, n)
		}
	}
}

func TestSpaceLogScaleEncoding(t *testing.T) {
	s := mixedSpace(t)
	c := Config{"lr": 1e-3, "dropout": 0.25, "rank": 8, "loras": 4, "act": "gelu",
		"layers": []bool{true, false, false, false, false, true}}
	f, err := s.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "lr feature", f[0], 0.5, 1e-12)      // 1e-3 is the log-midpoint of [1e-5, 1e-1]
	assertClose(t, "dropout feature", f[1], 0.5, 1e-12) // linear
	assertClose(t, "rank feature", f[2], 0.5, 1e-12)    // 8 = √64
	assertClose(t, "loras feature", f[3], 1, 1e-12)
	want := []float64{0, 1, 0, 1, 0, 0, 0, 0, 1}
	for i, w := range want {
		if f[4+i] != w {
			t.Fatalf("one-hot/bool features %v, want %v", f[4:], want)
		}
	}
	// Decoding rounds integers on the log scale and takes the arg-max category.
	f[2] = 0.52
	f[4], f[5], f[6] = 0.2, 0.3, 0.9
	d := s.Decode(f)
	if d.Int("rank") != 9 || d.String("act") != "silu" {
		t.Fatalf("decoded rank %d act %q", d.Int("rank"), d.String("act"))
	}
}

func TestAtLeastOneLayerRepair(t *testing.T) {
	s := mixedSpace(t)
	f := make([]float64, s.Dim())
	f[4] = 1
	// All layer features below ½: decoding must still set one, the largest.
	copy(f[7:], []float64{0.1, 0.4, 0.2, 0.05, 0.3, 0.1})
	c := s.Decode(f)
	if got := c.Bools("layers"); !reflect.DeepEqual(got, []bool{false, true, false, false, false, false}) {
		t.Fatalf("repaired layers %v", got)
	}
	if err := s.Validate(c); err != nil {
		t.Fatal(err)
	}
	bad := c.Clone()
	bad["layers"] = make([]bool, 6)
	if err := s.Validate(bad); err == nil {
		t.Fatal("no layer selected, yet valid")
	}
	fixed := s.Repair(bad, rand.New(rand.NewPCG(1, 1)))
	if countTrue(fixed.Bools("layers")) != 1 || s.Validate(fixed) != nil {
		t.Fatalf("Repair gave %v", fixed.Bools("layers"))
	}
	if countTrue(bad.Bools("layers")) != 0 {
		t.Fatal("Repair modified its input")
	}
}

func TestNeighborsKeepConstraints(t *testing.T) {
	s := mixedSpace(t)
	s.AddConstraint("rank·loras ≤ 64", func(c Config) bool { return c.Int("rank")*c.Int("loras") <= 64 })
	c := Config{"lr": 1e-3, "dropout": 0.1, "rank": 16, "loras": 4, "act": "relu",
		"layers": []bool{false, false, true, false, false, false}}
	ns := s.Neighbors(c)
	kinds := map[string]int{}
	for _, n := range ns {
		if err := s.Validate(n); err != nil {
			t.Fatalf("neighbour %v: %v", n, err)
		}
		diff := 0
		for _, p := range s.params {
			if !reflect.DeepEqual(n[p.Name], c[p.Name]) {
				diff++
				kinds[p.Name]++
			}
		}
		if diff != 1 {
			t.Fatalf("neighbour changes %d parameters", diff)
		}
	}
	// The single set layer cannot be cleared: 5 flips remain. act: 2 others.
	// rank 16 with loras 4 can only go down (8, 15); loras can only go down (3).
	if kinds["layers"] != 5 || kinds["act"] != 2 || kinds["rank"] != 2 || kinds["loras"] != 2 {
		t.Fatalf("neighbour counts %v", kinds)
	}
	if c.Int("rank") != 16 || countTrue(c.Bools("layers")) != 1 {
		t.Fatal("Neighbors modified its input")
	}
}

func TestSpaceRejectsBadParameters(t *testing.T) {
	for _, ps := range [][]Param{
		{},
		{Float("a", 1, 0, false)},
		{Float("a", 0, 1, true)},
		{Int("a", 0, 10, true)},
		{Categorical("a")},
		{Categorical("a", "x", "x")},
		{BoolVector("a", 3, 4)},
		{Float("a", 0, 1, false), Float("a", 0, 1, false)},
		{Float("a", math.Inf(-1), 1, false)},
	} {
		if _, err := NewSpace(ps...); err == nil {
			t.Fatalf("accepted %+v", ps)
		}
	}
	s := mixedSpace(t)
	if _, err := s.Normalize(map[string]any{"lr": 0.1}); err == nil {
		t.Fatal("Normalize accepted a partial configuration")
	}
}

func TestFromDesignStratifiesIntegers(t *testing.T) {
	s, _ := NewSpace(Int("k", 1, 32, true), Categorical("c", "a", "b", "c", "d"))
	counts := map[int]int{}
	cats := map[string]int{}
	for i := 0; i < 1000; i++ {
		u := (float64(i) + 0.5) / 1000
		c := s.FromDesign([]float64{u, u})
		counts[c.Int("k")]++
		cats[c.String("c")]++
	}
	if len(counts) != 32 || counts[1] == 0 || counts[32] == 0 {
		t.Fatalf("log-int design misses values: %v", counts)
	}
	if counts[1] < counts[32] {
		t.Fatalf("log scale should favour small integers: %v", counts)
	}
	for _, k := range []string{"a", "b", "c", "d"} {
		if cats[k] != 250 {
			t.Fatalf("categories unevenly covered: %v", cats)
		}
	}
}
