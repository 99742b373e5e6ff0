package milp

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/train"
)

// searchSettings are what gives a trial's score its meaning, recorded in the
// search's journal so that --resume under any other is refused: the recipe,
// the parameter penalty, the signal and early stopping, the model, the
// validation turns and conversations the trials are judged on and the
// history they train on. (The epoch budget is not: like --trials and
// --time, it bounds how far the search goes, not what a score means.) (The test turns are not among
// them: they are scored after the search, on whatever they are then.) Names
// are the flags that set them where there is one; the model, turns and
// history are fingerprints, shown with what a user can recognise.
func searchSettings(m *nn.Model, r *Replier, d SearchData, recipe train.Recipe, o SearchOptions) map[string]string {
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	return map[string]string{
		"--epochs":        strconv.Itoa(recipe.Epochs),
		"--batch":         strconv.Itoa(recipe.Batch),
		"--train-ctx":     strconv.Itoa(recipe.TrainCtx),
		"--lr":            num(recipe.LR),
		"weight decay":    num(recipe.WeightDecay),
		"clip norm":       num(recipe.ClipNorm),
		"--param-penalty": num(o.ParamPenalty),
		"--signal":        string(o.signal()),
		"--halving":       strconv.Itoa(o.Halving),
		"model":           modelFingerprint(m),
		"reply context":   strconv.Itoa(r.Ctx()),
		"validation turns": fmt.Sprintf("%d (--val-turns; fingerprint %s)", len(d.ValTurns),
			fingerprint(func(w hash.Hash) { json.NewEncoder(w).Encode(d.ValTurns) })),
		"training history":   historySetting(d.History),
		"validation history": historySetting(d.Val),
	}
}

// historySetting counts and fingerprints prepared conversations.
func historySetting(h *History) string {
	return fmt.Sprintf("%d sequences (fingerprint %s)", len(h.Seqs), fingerprint(func(w hash.Hash) {
		for _, s := range h.Seqs {
			binary.Write(w, binary.LittleEndian, s.Tokens)
			binary.Write(w, binary.LittleEndian, s.Loss)
		}
	}))
}

// modelFingerprint names the model and sums its shape, metadata and the
// head of every tensor's data: enough to tell two models apart without
// reading gigabytes.
func modelFingerprint(m *nn.Model) string {
	name := m.Config.Name
	if name == "" {
		name = m.Config.Arch
	}
	return name + " (fingerprint " + fingerprint(func(w hash.Hash) {
		fmt.Fprintf(w, "%+v\n", m.Config)
		f := m.File
		if f == nil {
			return
		}
		for _, kv := range f.KV {
			fmt.Fprintf(w, "%s=%v\n", kv.Key, kv.Value)
		}
		for i := range f.Tensors {
			t := &f.Tensors[i]
			fmt.Fprintf(w, "%s %v %v\n", t.Name, t.Type, t.Dims)
			data := f.TensorData(t)
			w.Write(data[:min(len(data), 256)])
		}
	}) + ")"
}

// fingerprint is the first 12 hex digits of the SHA-256 of what write writes.
func fingerprint(write func(hash.Hash)) string {
	w := sha256.New()
	write(w)
	return hex.EncodeToString(w.Sum(nil))[:12]
}
