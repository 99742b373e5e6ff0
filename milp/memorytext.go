package milp

import (
	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/userdata"
)

// memoryTurns flattens conversations into the short-term store's turns, the
// units BM25 retrieval ranks.
func memoryTurns(convs []userdata.Conversation) []memory.Turn {
	var out []memory.Turn
	for _, c := range convs {
		for _, m := range c.Messages {
			out = append(out, memory.Turn{Message: m})
		}
	}
	return out
}

// RetrievalMemory returns, for a turn, the k past exchanges most relevant to
// its last message by BM25 (package memory), formatted for the prompt.
func RetrievalMemory(history []userdata.Conversation, k int) func(userdata.EvalPair) string {
	turns := memoryTurns(history)
	return func(t userdata.EvalPair) string {
		query := t.Context[len(t.Context)-1].Content
		return memory.FormatContext(memory.RetrieveFrom(turns, query, k))
	}
}

// HistoryMemory is the history as prompt text, cut to at most budget tokens
// (counted by tokens) by keeping its most recent messages: as much of the
// history as the context can hold, the most recent part when not all.
func HistoryMemory(history []userdata.Conversation, budget int, tokens func(string) int) string {
	turns := memoryTurns(history)
	used := tokens(memory.ContextHeader)
	first := len(turns)
	for first > 0 {
		n := tokens(memory.FormatContext(turns[first-1:first])) - tokens(memory.ContextHeader)
		if used+n > budget {
			break
		}
		used += n
		first--
	}
	return memory.FormatContext(turns[first:])
}
