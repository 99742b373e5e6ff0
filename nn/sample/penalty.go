package sample

// applyRepeatPenalty penalises, once each, the distinct tokens among the last
// RepeatLastN entries of history (llama.cpp semantics: a repeated token is
// penalised once however often it occurs).
func (s *Sampler) applyRepeatPenalty(logits []float32, history []int32) {
	pen := s.p.RepeatPenalty
	if pen == 1 || !(pen > 0) || len(history) == 0 {
		return
	}
	window := s.p.RepeatLastN
	if window == 0 {
		window = DefaultRepeatLastN
	}
	if window > 0 && window < len(history) {
		history = history[len(history)-window:]
	}
	s.penaltyStamp++
	if s.penaltyStamp == 0 { // wrapped: old stamps could collide
		clear(s.penalised)
		s.penaltyStamp = 1
	}
	for _, id := range history {
		if id < 0 || int(id) >= len(logits) || s.penalised[id] == s.penaltyStamp {
			continue
		}
		s.penalised[id] = s.penaltyStamp
		if logits[id] > 0 {
			logits[id] /= pen
		} else {
			logits[id] *= pen
		}
	}
}
