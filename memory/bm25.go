package memory

import (
	"math"
	"sort"

	"github.com/milp-lite/milp-lite/metrics"
)

// Options are the BM25 parameters. The zero value is not useful; start from
// DefaultOptions.
type Options struct {
	K1 float64 // term-frequency saturation
	B  float64 // document-length normalisation, 0..1
	// StopWords drops metrics.StopWord tokens from documents and queries.
	StopWords bool
}

// DefaultOptions are the usual Okapi values k1 = 1.2, b = 0.75, stop words kept.
var DefaultOptions = Options{K1: 1.2, B: 0.75}

// Hit is one search result: the index of the document in the slice given to
// NewIndex and its BM25 score.
type Hit struct {
	Doc   int
	Score float64
}

// Index is an in-memory Okapi BM25 index over a fixed set of documents.
// Tokens come from metrics.Tokenize (lowercase ASCII letters and digits, no
// stemming). For a query Q and document D,
//
//	score(D, Q) = Σ_{t ∈ distinct(Q)} idf(t) · tf(t,D)·(k1+1) / (tf(t,D) + k1·(1 − b + b·|D|/avgdl))
//	idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
//
// with the Lucene idf, which is always positive, so a common term never
// lowers a score. A query term is counted once however often it is repeated.
type Index struct {
	opts     Options
	termFreq []map[string]int // per document
	docLen   []int
	docFreq  map[string]int
	avgLen   float64
}

// NewIndex indexes docs with DefaultOptions.
func NewIndex(docs []string) *Index { return NewIndexOptions(docs, DefaultOptions) }

// NewIndexOptions indexes docs with the given BM25 parameters.
func NewIndexOptions(docs []string, opts Options) *Index {
	ix := &Index{
		opts:     opts,
		termFreq: make([]map[string]int, len(docs)),
		docLen:   make([]int, len(docs)),
		docFreq:  make(map[string]int),
	}
	total := 0
	for i, d := range docs {
		toks := ix.tokens(d)
		tf := make(map[string]int, len(toks))
		for _, t := range toks {
			tf[t]++
		}
		for t := range tf {
			ix.docFreq[t]++
		}
		ix.termFreq[i] = tf
		ix.docLen[i] = len(toks)
		total += len(toks)
	}
	if len(docs) > 0 {
		ix.avgLen = float64(total) / float64(len(docs))
	}
	return ix
}

func (ix *Index) tokens(text string) []string {
	if ix.opts.StopWords {
		return metrics.ContentTokens(text)
	}
	return metrics.Tokenize(text)
}

// idf is the Lucene form ln(1 + (N − df + 0.5)/(df + 0.5)).
func (ix *Index) idf(term string) float64 {
	n := float64(len(ix.docLen))
	df := float64(ix.docFreq[term])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// Search returns up to k documents that share at least one term with query,
// best first; equal scores keep the lower document index first so results are
// deterministic. k <= 0 or a query without indexed terms gives no hits.
func (ix *Index) Search(query string, k int) []Hit {
	if k <= 0 || ix.avgLen == 0 {
		return nil
	}
	terms := ix.queryTerms(query)
	if len(terms) == 0 {
		return nil
	}
	var hits []Hit
	for d, tf := range ix.termFreq {
		score := 0.0
		for _, t := range terms {
			f := float64(tf[t])
			if f == 0 {
				continue
			}
			norm := 1 - ix.opts.B + ix.opts.B*float64(ix.docLen[d])/ix.avgLen
			score += ix.idf(t) * f * (ix.opts.K1 + 1) / (f + ix.opts.K1*norm)
		}
		if score > 0 {
			hits = append(hits, Hit{Doc: d, Score: score})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Doc < hits[j].Doc
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}

// queryTerms are the distinct indexed terms of query, sorted so that scores
// are summed in a fixed order (map order would make the last bits of a score,
// and so tie-breaking, vary from run to run).
func (ix *Index) queryTerms(query string) []string {
	seen := make(map[string]bool)
	var terms []string
	for _, t := range ix.tokens(query) {
		if ix.docFreq[t] > 0 && !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	sort.Strings(terms)
	return terms
}
