package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// httpBenchArgs is a short `bench serve --http` on the tiny model: seconds,
// loopback only.
func httpBenchArgs(model string, more ...string) []string {
	return append([]string{"bench", "serve", "--http", "--model", model, "--users", "4", "--rank", "4", "--prompt-min", "5",
		"--prompt-max", "40", "--reply", "8", "--spread", "20ms", "--json"}, more...)
}

// TestBenchServeHTTP: the load over HTTP, twice against the engine in
// process, answers every request; and kept up for two seconds over a
// population whose adapters overflow the cache, it answers every request
// and reports resident memory sampled through the run.
func TestBenchServeHTTP(t *testing.T) {
	model := writeTinyModel(t)
	var once struct {
		Requests, Errors int
		HTTPRuns         []float64 `json:"http_runs_tokens_per_s"`
		InProcessRuns    []float64 `json:"in_process_runs_tokens_per_s"`
		Aggregate        float64   `json:"aggregate_tokens_per_s"`
	}
	r := run(t, "", httpBenchArgs(model, "--repeat", "2")...)
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &once) != nil {
		t.Fatalf("exit %d: %s\n%s", r.code, r.stdout, r.stderr)
	}
	if once.Errors != 0 || once.Requests != 2*4+5 || len(once.HTTPRuns) != 2 || len(once.InProcessRuns) != 2 || !(once.Aggregate > 0) {
		t.Fatalf("%+v", once)
	}
	var soak struct {
		Requests, Errors int
		AdapterLoads     int `json:"adapter_loads"`
		Memory           *struct {
			Samples []int64 `json:"samples_bytes"`
			Max     int64   `json:"max_bytes"`
			Budget  int64   `json:"budget_bytes"`
		}
	}
	r = run(t, "", httpBenchArgs(model, "--population", "12", "--adapter-cache", "100KB", "--duration", "2s", "--sample", "500ms")...)
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &soak) != nil {
		t.Fatalf("exit %d: %s\n%s", r.code, r.stdout, r.stderr)
	}
	if soak.Errors != 0 || soak.Requests <= 4 || soak.AdapterLoads <= 4 || soak.Memory == nil || len(soak.Memory.Samples) < 3 || !(soak.Memory.Max > 0) {
		t.Fatalf("%+v", soak)
	}
}

// TestBenchServeHTTPBadInput: options that cannot make a run say which.
func TestBenchServeHTTPBadInput(t *testing.T) {
	model := writeTinyModel(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--population", "2"}, "--population 2 is below --users 4"},
		{[]string{"--adapter-cache", "lots"}, "--adapter-cache"},
		{[]string{"--repeat", "0"}, "--repeat"},
	} {
		r := run(t, "", httpBenchArgs(model, c.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, r.code, r.stderr)
		}
	}
}
