package memory

import (
	"strings"

	"github.com/milp-lite/milp-lite/nn/chat"
)

// retrieveOptions are the BM25 settings for memory retrieval: stop words are
// dropped because chat turns are dominated by them ("I", "you", "the") and
// they would otherwise match every exchange.
var retrieveOptions = Options{K1: 1.2, B: 0.75, StopWords: true}

// Retrieve returns the turns of the k stored exchanges most relevant to query
// (see RetrieveFrom).
func (s *Store) Retrieve(query string, k int) ([]Turn, error) {
	turns, err := s.Load()
	if err != nil {
		return nil, err
	}
	return RetrieveFrom(turns, query, k), nil
}

// RetrieveFrom ranks the exchanges of turns (a user turn with the replies that
// follow it) by BM25 against query and returns the turns of the best k, best
// exchange first, each exchange's turns in their original order. Exchanges
// sharing no content word with the query are never returned.
func RetrieveFrom(turns []Turn, query string, k int) []Turn {
	exchanges := splitExchanges(turns)
	docs := make([]string, len(exchanges))
	for i, ex := range exchanges {
		parts := make([]string, len(ex))
		for j, t := range ex {
			parts[j] = t.Content
		}
		docs[i] = strings.Join(parts, "\n")
	}
	var out []Turn
	for _, h := range NewIndexOptions(docs, retrieveOptions).Search(query, k) {
		out = append(out, exchanges[h.Doc]...)
	}
	return out
}

// splitExchanges cuts turns before every user turn, so each exchange is a user
// message and what answered it. Turns before the first user turn (a greeting,
// a system note) form their own exchange.
func splitExchanges(turns []Turn) [][]Turn {
	var out [][]Turn
	for i, t := range turns {
		if i == 0 || t.Role == chat.RoleUser {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], t)
	}
	return out
}
