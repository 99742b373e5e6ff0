package milp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/userdata"
)

// PersonaliseOptions shape the main job for one user.
type PersonaliseOptions struct {
	Setup
	Resume    bool // continue the user's interrupted search instead of starting anew
	ModelName string
}

// UserReport is what the main job found for one user.
type UserReport struct {
	User      string        `json:"user"`
	Model     string        `json:"model"`
	Placement Placement     `json:"placement"`
	Params    int           `json:"trainable_params"`
	Before    Scores        `json:"test_before"` // base model, zero-shot
	After     Scores        `json:"test_after"`  // with the searched memory
	Trials    []TrialReport `json:"trials"`
	Seconds   float64       `json:"seconds"`
}

// Personalise is the main job for one user: store their history (adding to
// the stored one, see storeHistory), search the memory injection on it
// (starting from the placements that won earlier users' searches, and adding
// this one's winner to them: Prior), save the best adapter as the user's
// long-term memory, and report test scores before and after. It holds the user's lock (Store.LockUser) throughout.
func Personalise(m *nn.Model, st Store, u userdata.User, o PersonaliseOptions) (*UserReport, error) {
	start := time.Now()
	lock, err := st.LockUser(u.ID)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	if err := os.MkdirAll(st.UserDir(u.ID), 0o755); err != nil {
		return nil, err
	}
	u, _, err = storeHistory(st, u)
	if err != nil {
		return nil, err
	}
	pu, err := splitUserFor(m, u, o.Setup)
	if err != nil {
		return nil, err
	}
	r, test := pu.r, pu.test
	rep := &UserReport{User: u.ID, Model: o.ModelName}
	if rep.Before, err = Score(r, test, u.Persona, nil); err != nil {
		return nil, err
	}
	so := o.Search
	so.JournalPath = st.JournalPath(u.ID)
	if so.StartWith, err = searchStarts(m, st.PriorPath()); err != nil {
		return nil, err
	}
	if !o.Resume {
		if err := os.Remove(so.JournalPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	sr, err := Search(m, r, pu.searchData(u.Persona), o.Recipe, so)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", u.ID, err)
	}
	if err := RecordWin(st.PriorPath(), m, sr.Best.Placement); err != nil {
		return nil, err
	}
	r.Use(sr.Adapter)
	if rep.After, err = Score(r, test, u.Persona, nil); err != nil {
		return nil, err
	}
	rep.Placement, rep.Params, rep.Trials = sr.Best.Placement, sr.Best.Params, sr.Trials
	sr.Adapter.Meta = placementMeta(sr.Best)
	if err := sr.Adapter.Save(st.AdapterPath(u.ID)); err != nil {
		return nil, err
	}
	rep.Seconds = time.Since(start).Seconds()
	if err := WriteJSON(st.ReportPath(u.ID), rep); err != nil {
		return nil, err
	}
	if err := WriteSVG(st.PlotPath(u.ID), SearchSVG("MiLP search for "+u.ID, sr.Trials)); err != nil {
		return nil, err
	}
	return rep, nil
}

// placementMeta records in the adapter how its memory was chosen.
func placementMeta(t TrialReport) []gguf.KV {
	b, _ := json.Marshal(t.Placement)
	return []gguf.KV{
		{Key: "milp.placement", Value: gguf.Str(string(b))},
		{Key: "milp.search.trial", Value: gguf.U32(uint32(t.ID))},
		{Key: "milp.search.score", Value: gguf.F32(float32(t.Score))},
		{Key: "milp.search.val_loss", Value: gguf.F32(float32(t.ValLoss))},
	}
}

// LastPlacement reads the placement the user's last search chose.
func LastPlacement(st Store, id string) (Placement, error) {
	data, err := os.ReadFile(st.ReportPath(id))
	if err != nil {
		return Placement{}, err
	}
	var rep UserReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return Placement{}, fmt.Errorf("%s: %w", st.ReportPath(id), err)
	}
	p := rep.Placement
	if err := p.resolveSites(); err != nil {
		return Placement{}, fmt.Errorf("%s: %w", st.ReportPath(id), err)
	}
	return p, nil
}
