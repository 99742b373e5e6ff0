package bo

// PosteriorMeans is the GP's posterior mean at every complete trial, by
// trial ID, the GP fitted on all complete trials: a way to choose among the
// tried configurations that is less swayed by one lucky observation than
// the best value is, since each trial's mean borrows strength from its
// neighbours. With fewer than two complete trials there is nothing to
// smooth with, and each keeps its own value.
func (s *Study) PosteriorMeans() (map[int]float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, y, _, _, err := s.trainingData()
	if err != nil {
		return nil, err
	}
	out := map[int]float64{}
	var g *GP
	if len(y) >= 2 {
		if g, err = FitGP(x, y, GPOptions{Kernel: s.opts.Kernel, Restarts: s.opts.GPRestarts}, s.trialRNG(len(s.trials))); err != nil {
			return nil, err
		}
	}
	i := 0
	for _, t := range s.trials {
		if t.Status != TrialComplete {
			continue
		}
		out[t.ID] = t.Value
		if g != nil {
			out[t.ID], _ = g.Predict(x[i])
		}
		i++
	}
	return out, nil
}
