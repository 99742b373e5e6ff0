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
	Signal   Signal        `json:"signal"`
	Budget   float64       `json:"budget"`  // in whole trainings (0: none)
	Halving  int           `json:"halving"` // successive halving's 1/N (0 or 1: none)
	Date     string        `json:"date"`
	Seconds  float64       `json:"seconds"`
	Summary  []Summary     `json:"summary"`
	Users    []*UserResult `json:"users"`
	Signals  *SignalStudy  `json:"signals,omitempty"` // with --trials-on-test
	Failures []string      `json:"failures,omitempty"`
}

// Markdown is the table of the paper's kind: one row per method, ROUGE and
// Persona-F1 means over users with their 95% intervals, corpus BLEU-4.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %s; %d users; training budget %d epochs (batch %d, ctx %d) per adapter; MiLP: at most %d BO trials per user judged by %s",
		r.Model, len(r.Users), r.Recipe.Epochs, r.Recipe.Batch, r.Recipe.TrainCtx, r.Trials, r.Signal)
	if r.Halving > 1 {
		fmt.Fprintf(&b, ", stopped after an epoch outside the best 1/%d", r.Halving)
	}
	if r.Budget > 0 {
		fmt.Fprintf(&b, ", %.3g trainings in all", r.Budget)
	}
	b.WriteString(".\n\n")
	b.WriteString("| method | ROUGE-L | ROUGE-1 | ROUGE-2 | Persona-F1 | BLEU-4 | CPU s/user |\n")
	b.WriteString("|---|---|---|---|---|---|---:|\n")
	for _, s := range r.Summary {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %.2f | %.1f |\n", s.Method, pct(s.RougeL), pct(s.Rouge1), pct(s.Rouge2), pct(s.PersonaF1), 100*s.BLEU, s.CPUSeconds)
	}
	b.WriteString("\nScores ×100; ± is the half-width of the 95% interval over users (Student t). CPU s/user: the mean CPU\n" +
		"seconds per user of training (or searching) the method's adapter and replying to the test turns.\n")
	if fixed, searched := r.summaryOf(FixedLoRA), r.summaryOf(MiLP); fixed != nil && searched != nil && fixed.FitCPUSeconds > 0 {
		fmt.Fprintf(&b, "MiLP's search took %.1f× the fixed LoRA's training (%.1f against %.1f CPU s per user).\n",
			searched.FitCPUSeconds/fixed.FitCPUSeconds, searched.FitCPUSeconds, fixed.FitCPUSeconds)
	}
	if s := r.Signals; s != nil {
		fmt.Fprintf(&b, "\nHow the search's signals rank its %d trials (Spearman; per user: mean ± 95%% interval over users):\n\n", s.Trials)
		b.WriteString("| signals | pooled | per user |\n|---|---:|---:|\n")
		for _, p := range signalPairs {
			fmt.Fprintf(&b, "| %s | %.3f | %s |\n", p.name, s.Pooled[p.name], ratio(s.PerUser[p.name]))
		}
	}
	return b.String()
}

func (r *Report) summaryOf(m Method) *Summary {
	for i := range r.Summary {
		if r.Summary[i].Method == m {
			return &r.Summary[i]
		}
	}
	return nil
}

// ratio is a Stat of plain numbers (not ×100).
func ratio(m Stat) string {
	if m[2] != m[2] {
		return fmt.Sprintf("%.3f", m[0])
	}
	return fmt.Sprintf("%.3f ± %.3f", m[0], m[2]-m[0])
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
