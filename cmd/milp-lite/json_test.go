package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/milp"
)

// TestVersion: --version names the module version, the Go release and
// target, and the build settings (the test binary is built with
// CGO_ENABLED=0), and says whether a commit was recorded.
func TestVersion(t *testing.T) {
	r := run(t, "", "--version")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"milp-lite (devel)\n", "\ncommit: ", "\ngo: go1.", "\nbuild: ", "CGO_ENABLED=0"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--version lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestInfoAndTokenizeJSON: --json gives the same facts as the text, as JSON.
func TestInfoAndTokenizeJSON(t *testing.T) {
	r := run(t, "", "info", "--json")
	var info struct {
		Metadata []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"metadata"`
		Tensors   []struct{ Name string } `json:"tensors"`
		Tokenizer struct{ Tokens int }    `json:"tokenizer"`
		Model     struct {
			Layers int `json:"layers"`
			FFNDim int `json:"ffn_dim"`
		} `json:"model"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || r.code != 0 {
		t.Fatalf("info --json: exit %d, %v:\n%s", r.code, err, r.stdout)
	}
	if info.Model.Layers != 5 || info.Model.FFNDim != 172 || info.Tokenizer.Tokens != 512 || len(info.Tensors) == 0 ||
		info.Metadata[0].Key != "general.architecture" || info.Metadata[0].Value != "llama" {
		t.Errorf("info --json: %+v", info)
	}
	r = run(t, "", "info", "--json", "../../testdata/vocab/ggml-vocab-qwen2.gguf")
	var vocab map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &vocab); err != nil || vocab["model_error"] != vocabOnlyText || vocab["model"] != nil {
		t.Errorf("info --json of a vocabulary file: %v %v", err, vocab["model_error"])
	}

	text := run(t, "", "tokenize", "Once upon a time")
	r = run(t, "", "tokenize", "--json", "Once upon a time")
	var tok tokenizeJSON
	if err := json.Unmarshal([]byte(r.stdout), &tok); err != nil {
		t.Fatal(err, r.stdout)
	}
	ids, _ := json.Marshal(tok.IDs)
	if strings.ReplaceAll(strings.TrimSpace(text.stdout), " ", "") != string(ids) || strings.Join(tok.Pieces, "") != "<s> Once upon a time" {
		t.Errorf("tokenize --json %s %q, text output %s", ids, tok.Pieces, text.stdout)
	}
}

// TestTrainSummary: the main job's summary, as the table (the README's
// form) and as JSON.
func TestTrainSummary(t *testing.T) {
	s := trainSummary{Model: "m", Store: "/s", TrialsPerUser: 2, Seconds: 3, Users: []*milp.UserReport{{
		User: "u1", Before: milp.Scores{RougeL: 0.1, PersonaF1: 0.01}, After: milp.Scores{RougeL: 0.2, PersonaF1: 0.02},
		Placement: milp.FixedPlacement(2),
	}}}
	var b bytes.Buffer
	s.print(&b, "milp-lite chat --user u1")
	for _, want := range []string{"MiLP on m, 1 users, 2 BO trials each (3s):", "| user | test ROUGE-L before → after |",
		"| u1 | 0.1000 → 0.2000 | 0.0100 → 0.0200 | ", "plots are in /s/<user>/", "   milp-lite chat --user u1\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		TrialsPerUser int `json:"trials_per_user"`
		Users         []struct {
			User       string `json:"user"`
			TestBefore struct {
				RougeL float64 `json:"rouge_l"`
			} `json:"test_before"`
		} `json:"users"`
	}
	if err := json.Unmarshal(data, &back); err != nil || back.TrialsPerUser != 2 || back.Users[0].User != "u1" || back.Users[0].TestBefore.RougeL != 0.1 {
		t.Errorf("summary JSON %s", data)
	}
}
