package milp

import (
	"fmt"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/userdata"
)

// Shares of a user's conversations held out for validation and for test.
const (
	valShare  = 0.15
	testShare = 0.15
)

// splitUser is a user split by conversation and made ready for scoring and
// training.
type splitUser struct {
	r         *Replier
	h         *History
	valHist   *History                // the validation conversations, for the teacher-forced loss
	hist      []userdata.Conversation // trained on
	val, test []userdata.EvalPair     // what the search scores, what is reported
}

// splitUserFor splits u's conversations into history, validation and test,
// keeps the turns the generation context can hold, and prepares the history
// for training.
func splitUserFor(m *nn.Model, u userdata.User, s Setup) (*splitUser, error) {
	hist, valConvs, testConvs := userdata.Split(u, s.Recipe.Seed, valShare, testShare)
	if len(valConvs) == 0 || len(testConvs) == 0 {
		return nil, fmt.Errorf("user %s has %d conversations, too few to hold out validation and test ones", u.ID, len(u.Conversations))
	}
	r, err := NewReplier(m, s.GenCtx)
	if err != nil {
		return nil, err
	}
	val, test := EvalPairs(valConvs, s.ValTurns, r.Fits), EvalPairs(testConvs, s.TestTurns, r.Fits)
	if len(val) == 0 || len(test) == 0 {
		return nil, fmt.Errorf("user %s: no validation or test turn fits the context of %d tokens", u.ID, r.Ctx())
	}
	h, err := PrepareHistory(m, hist, s.Recipe.TrainCtx)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", u.ID, err)
	}
	vh, err := PrepareHistory(m, valConvs, s.Recipe.TrainCtx)
	if err != nil {
		return nil, fmt.Errorf("user %s, validation conversations: %w", u.ID, err)
	}
	return &splitUser{r: r, h: h, valHist: vh, hist: hist, val: val, test: test}, nil
}

// searchData is what a search of this user trains on and judges by.
func (pu *splitUser) searchData(persona []string) SearchData {
	return SearchData{History: pu.h, Val: pu.valHist, ValTurns: pu.val, Persona: persona}
}
