package milp

import (
	"github.com/milp-lite/milp-lite/metrics"
	"github.com/milp-lite/milp-lite/userdata"
)

// Scores are one method's scores on one user's turns: ROUGE and Persona-F1
// averaged over the turns, and the replies themselves so BLEU can be taken
// over the whole corpus.
type Scores struct {
	RougeL    float64  `json:"rouge_l"`
	Rouge1    float64  `json:"rouge_1"`
	Rouge2    float64  `json:"rouge_2"`
	PersonaF1 float64  `json:"persona_f1"`
	Turns     int      `json:"turns"`
	Replies   []string `json:"replies,omitempty"` // one per turn
	Refs      []string `json:"-"`
}

// EvalPairs lists the turns of conversations that keep (nil: all), at most
// limit of them (0: all), taken evenly across the conversations so that a
// limit keeps every conversation represented.
func EvalPairs(convs []userdata.Conversation, limit int, keep func(userdata.EvalPair) bool) []userdata.EvalPair {
	var per [][]userdata.EvalPair
	total := 0
	for _, c := range convs {
		var ts []userdata.EvalPair
		for _, t := range userdata.EvalPairs(c) {
			if keep == nil || keep(t) {
				ts = append(ts, t)
			}
		}
		per = append(per, ts)
		total += len(ts)
	}
	if limit <= 0 || limit >= total {
		var all []userdata.EvalPair
		for _, ts := range per {
			all = append(all, ts...)
		}
		return all
	}
	// Round-robin over conversations, in conversation order.
	var out []userdata.EvalPair
	for round := 0; len(out) < limit; round++ {
		for _, ts := range per {
			if round < len(ts) && len(out) < limit {
				out = append(out, ts[round])
			}
		}
	}
	return out
}

// Score generates a reply to every turn with memory(turn) as the model's
// memory and scores it against the user's real reply.
func Score(r *Replier, turns []userdata.EvalPair, persona []string, memory func(userdata.EvalPair) string) (Scores, error) {
	var s Scores
	for _, t := range turns {
		mem := ""
		if memory != nil {
			mem = memory(t)
		}
		reply, err := r.Reply(t.Context, mem)
		if err != nil {
			return s, err
		}
		rs := metrics.Rouge(reply, t.Reply.Content)
		s.RougeL += rs.RL.F
		s.Rouge1 += rs.R1.F
		s.Rouge2 += rs.R2.F
		s.PersonaF1 += metrics.PersonaF1(reply, persona)
		s.Replies = append(s.Replies, reply)
		s.Refs = append(s.Refs, t.Reply.Content)
	}
	if n := float64(len(turns)); n > 0 {
		s.RougeL /= n
		s.Rouge1 /= n
		s.Rouge2 /= n
		s.PersonaF1 /= n
	}
	s.Turns = len(turns)
	return s, nil
}
