package milp

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/train"
)

// Report is a benchmark run: settings, per-method summaries and every user's
// results.
type Report struct {
	Model    string        `json:"model"`
	Command  string        `json:"command"`
	Recipe   train.Recipe  `json:"recipe"`
	Trials   int           `json:"trials_per_user"`
	Date     string        `json:"date"`
	Seconds  float64       `json:"seconds"`
	Summary  []Summary     `json:"summary"`
	Users    []*UserResult `json:"users"`
	Failures []string      `json:"failures,omitempty"`
}

// Markdown is the table of the paper's kind: one row per method, ROUGE and
// Persona-F1 means over users with their 95% intervals, corpus BLEU-4.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %s; %d users; training budget %d epochs (batch %d, ctx %d) per adapter; MiLP: %d BO trials per user.\n\n",
		r.Model, len(r.Users), r.Recipe.Epochs, r.Recipe.Batch, r.Recipe.TrainCtx, r.Trials)
	b.WriteString("| method | ROUGE-L | ROUGE-1 | ROUGE-2 | Persona-F1 | BLEU-4 |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, s := range r.Summary {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %.2f |\n", s.Method, pct(s.RougeL), pct(s.Rouge1), pct(s.Rouge2), pct(s.PersonaF1), 100*s.BLEU)
	}
	b.WriteString("\nScores ×100; ± is the half-width of the 95% interval over users (Student t).\n")
	return b.String()
}

func pct(m Stat) string {
	if m[2] != m[2] { // one user: no interval
		return fmt.Sprintf("%.2f", 100*m[0])
	}
	return fmt.Sprintf("%.2f ± %.2f", 100*m[0], 100*(m[2]-m[0]))
}

// WriteJSON writes v as indented JSON to path, atomically.
func WriteJSON(path string, v any) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}
