package memory

import (
	"math"
	"testing"
)

// Corpus for hand computation: lengths 2, 3, 4 → avgdl = 3, N = 3.
var handDocs = []string{"cat sat", "dog sat here", "cat cat dog barks"}

func checkHits(t *testing.T, query string, got []Hit, want []Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("Search(%q) = %v, want %v", query, got, want)
	}
	for i := range want {
		if got[i].Doc != want[i].Doc || math.Abs(got[i].Score-want[i].Score) > 1e-6 {
			t.Fatalf("Search(%q)[%d] = %+v, want %+v", query, i, got[i], want[i])
		}
	}
}

func TestBM25HandComputed(t *testing.T) {
	ix := NewIndex(handDocs)
	// idf(df=2) = ln(1 + (3-2+0.5)/(2+0.5)) = ln 1.6 = 0.4700036
	// idf(df=1) = ln(1 + 2.5/1.5) = ln(8/3) = 0.9808293
	// length norm K = 1 - b + b·dl/3: dl 2 → 0.75, dl 3 → 1, dl 4 → 1.25
	// tf part = tf·2.2 / (tf + 1.2·K)
	//   d0 (tf 1, K .75): 2.2/1.9 = 1.1578947
	//   d1 (tf 1, K 1)  : 2.2/2.2 = 1
	//   d2 (tf 1, K 1.25): 2.2/2.5 = 0.88;  (tf 2): 4.4/3.5 = 1.2571429
	ln16, ln83 := math.Log(1.6), math.Log(8.0/3)

	// "cat": d2 = ln1.6·1.2571429 = 0.590861, d0 = ln1.6·1.1578947 = 0.544215
	checkHits(t, "cat", ix.Search("cat", 10), []Hit{{2, ln16 * 4.4 / 3.5}, {0, ln16 * 2.2 / 1.9}})

	// "dog sat": d1 = 2·ln1.6 = 0.940007, d0 = 0.544215, d2 = ln1.6·0.88 = 0.413603
	checkHits(t, "Dog, sat!", ix.Search("Dog, sat!", 10),
		[]Hit{{1, 2 * ln16}, {0, ln16 * 2.2 / 1.9}, {2, ln16 * 0.88}})

	// rare term: "barks" only in d2 = ln(8/3)·0.88 = 0.863130
	checkHits(t, "barks", ix.Search("barks", 10), []Hit{{2, ln83 * 0.88}})

	// repeating a query term does not change scores
	checkHits(t, "cat cat cat", ix.Search("cat cat cat", 10), ix.Search("cat", 10))
}

func TestBM25LimitsAndEdges(t *testing.T) {
	ix := NewIndex(handDocs)
	if got := ix.Search("dog sat", 1); len(got) != 1 || got[0].Doc != 1 {
		t.Errorf("k=1: got %v, want only doc 1", got)
	}
	for _, q := range []string{"unicorn", "", "!!!"} {
		if got := ix.Search(q, 5); len(got) != 0 {
			t.Errorf("Search(%q) = %v, want no hits", q, got)
		}
	}
	if got := ix.Search("cat", 0); got != nil {
		t.Errorf("k=0: got %v", got)
	}
	if got := NewIndex(nil).Search("cat", 3); got != nil {
		t.Errorf("empty index: got %v", got)
	}
	if got := NewIndex([]string{"", ""}).Search("cat", 3); got != nil {
		t.Errorf("index of empty docs: got %v", got)
	}
}

func TestBM25TiesByLowerIndex(t *testing.T) {
	ix := NewIndex([]string{"apple pie", "banana", "apple pie", "apple pie"})
	got := ix.Search("apple", 10)
	if len(got) != 3 || got[0].Doc != 0 || got[1].Doc != 2 || got[2].Doc != 3 {
		t.Fatalf("ties: got %v, want docs 0, 2, 3", got)
	}
	if got[0].Score != got[1].Score || got[1].Score != got[2].Score {
		t.Fatalf("identical documents scored differently: %v", got)
	}
}

func TestBM25StopWords(t *testing.T) {
	docs := []string{"the the the the", "the knee"}
	// Without stop-word removal "the" matches both documents.
	if got := NewIndex(docs).Search("the", 5); len(got) != 2 {
		t.Errorf("stop words kept: got %v, want 2 hits", got)
	}
	ix := NewIndexOptions(docs, Options{K1: 1.2, B: 0.75, StopWords: true})
	if got := ix.Search("the", 5); len(got) != 0 {
		t.Errorf("stop words dropped: query of stop words gave %v", got)
	}
	if got := ix.Search("the knee", 5); len(got) != 1 || got[0].Doc != 1 {
		t.Errorf("stop words dropped: got %v, want doc 1", got)
	}
}
