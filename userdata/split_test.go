package userdata

import (
	"fmt"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
)

func userWith(id string, n int) User {
	u := User{ID: id}
	for i := range n {
		u.Conversations = append(u.Conversations, Conversation{Messages: []chat.Message{{Role: chat.RoleUser, Content: fmt.Sprint(i)}}})
	}
	return u
}

// indices recovers which original conversation each element is.
func indices(cs []Conversation) []int {
	out := make([]int, len(cs))
	for i, c := range cs {
		fmt.Sscan(c.Messages[0].Content, &out[i])
	}
	return out
}

func TestSplitSizesAndCoverage(t *testing.T) {
	cases := []struct {
		n                  int
		val, test          float64
		nTrain, nVal, nTes int
	}{
		{20, 0.1, 0.1, 16, 2, 2},
		// nTest = round(0.2·25) = 5, nVal = round(2.5) = 3 (math.Round rounds
		// half away from zero), train = 17.
		{25, 0.1, 0.2, 17, 3, 5},
		{3, 0.1, 0.1, 1, 1, 1}, // minimum one each
		{4, 0, 0, 2, 1, 1},     // zero fractions still give one each
		{5, 0.9, 0.9, 1, 1, 3}, // test capped at n−2, val at n−1−nTest
		{2, 0.5, 0.5, 2, 0, 0}, // fewer than 3: all train
		{0, 0.1, 0.1, 0, 0, 0},
	}
	for _, c := range cases {
		u := userWith("u", c.n)
		tr, va, te := Split(u, 7, c.val, c.test)
		if len(tr) != c.nTrain || len(va) != c.nVal || len(te) != c.nTes {
			t.Errorf("n=%d val=%v test=%v: sizes %d/%d/%d, want %d/%d/%d",
				c.n, c.val, c.test, len(tr), len(va), len(te), c.nTrain, c.nVal, c.nTes)
		}
		seen := map[int]int{}
		for _, part := range [][]Conversation{tr, va, te} {
			idx := indices(part)
			for i, x := range idx {
				seen[x]++
				if i > 0 && idx[i-1] >= x {
					t.Errorf("n=%d: a set is not in original order: %v", c.n, idx)
				}
			}
		}
		for i := range c.n {
			if seen[i] != 1 {
				t.Errorf("n=%d: conversation %d appears %d times across sets", c.n, i, seen[i])
			}
		}
	}
}

func TestSplitDeterministicPerUserAndSeed(t *testing.T) {
	u := userWith("spc-12345678", 20)
	_, v1, t1 := Split(u, 42, 0.15, 0.15)
	_, v2, t2 := Split(u, 42, 0.15, 0.15)
	if fmt.Sprint(indices(v1), indices(t1)) != fmt.Sprint(indices(v2), indices(t2)) {
		t.Fatal("same seed and user gave different splits")
	}
	// Other seeds and other users get other test sets (collisions are possible
	// for one pair, so require that most of 20 seeds differ).
	differ := 0
	for s := uint64(0); s < 20; s++ {
		_, _, ts := Split(u, s, 0.15, 0.15)
		other := u
		other.ID = "spc-87654321"
		_, _, to := Split(other, s, 0.15, 0.15)
		if fmt.Sprint(indices(ts)) != fmt.Sprint(indices(to)) {
			differ++
		}
	}
	if differ < 15 {
		t.Errorf("only %d of 20 seeds gave different splits for different users", differ)
	}
	// Not the identity: the test set is not just the first conversations.
	notFirst := 0
	for s := uint64(0); s < 20; s++ {
		_, _, ts := Split(u, s, 0.15, 0.15)
		if fmt.Sprint(indices(ts)) != "[0 1 2]" {
			notFirst++
		}
	}
	if notFirst < 19 {
		t.Errorf("test sets look unshuffled")
	}
}

func TestPermutationIsAPermutation(t *testing.T) {
	for n := 1; n < 40; n++ {
		p := permutation(n, uint64(n)*977)
		seen := make([]bool, n)
		for _, x := range p {
			if x < 0 || x >= n || seen[x] {
				t.Fatalf("n=%d: not a permutation: %v", n, p)
			}
			seen[x] = true
		}
	}
}

func TestHoldOut(t *testing.T) {
	for _, c := range []struct {
		n       int
		frac    float64
		wantVal int
	}{{10, 0.1, 1}, {10, 0.25, 3}, {2, 0.1, 1}, {1, 0.5, 0}, {10, 0, 0}, {10, 1, 9}} {
		convs := userWith("", c.n).Conversations
		tr, val := HoldOut(convs, 7, c.frac)
		if len(val) != c.wantVal || len(tr)+len(val) != c.n {
			t.Errorf("n=%d frac=%g: %d train, %d validation; want %d validation", c.n, c.frac, len(tr), len(val), c.wantVal)
		}
		seen := map[int]bool{}
		for _, i := range append(indices(tr), indices(val)...) {
			seen[i] = true
		}
		if len(seen) != c.n {
			t.Errorf("n=%d frac=%g: the sets cover %d conversations", c.n, c.frac, len(seen))
		}
	}
	// The draw depends on the seed.
	convs := userWith("", 20).Conversations
	_, a := HoldOut(convs, 1, 0.25)
	_, b := HoldOut(convs, 2, 0.25)
	if fmt.Sprint(indices(a)) == fmt.Sprint(indices(b)) {
		t.Errorf("seeds 1 and 2 hold out the same conversations %v", indices(a))
	}
}
