package milp

import (
	"slices"
	"strings"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/userdata"
)

// memoryTurns flattens conversations into the short-term store's turns, the
// units BM25 retrieval ranks.
func memoryTurns(convs []userdata.Conversation) []memory.Turn {
	var out []memory.Turn
	for _, c := range convs {
		for _, m := range c.Messages {
			out = append(out, memory.Turn{Role: m.Role, Content: m.Content})
		}
	}
	return out
}

// RetrievalMemory returns, for a turn, the k past exchanges most relevant to
// its last message by BM25 (package memory), formatted for the prompt.
func RetrievalMemory(history []userdata.Conversation, k int) func(userdata.Turn) string {
	turns := memoryTurns(history)
	return func(t userdata.Turn) string {
		query := t.Context[len(t.Context)-1].Content
		return memory.FormatContext(memory.RetrieveFrom(turns, query, k))
	}
}

// HistoryMemory is the whole history as prompt text, cut to at most budget
// tokens (counted by tokens) by keeping the most recent conversations.
func HistoryMemory(history []userdata.Conversation, budget int, tokens func(string) int) string {
	var kept []string
	used := 0
	for i := len(history) - 1; i >= 0; i-- {
		text := memory.FormatContext(memoryTurns(history[i : i+1]))
		text = strings.TrimPrefix(text, memory.ContextHeader)
		n := tokens(text)
		if used+n > budget {
			break
		}
		kept = append(kept, text)
		used += n
	}
	if len(kept) == 0 {
		return ""
	}
	// Oldest first, as the conversations happened.
	slices.Reverse(kept)
	return memory.ContextHeader + strings.Join(kept, "")
}
