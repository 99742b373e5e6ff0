package main

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestBadFlagValues gives each numeric flag a value outside its range: each
// is refused before any work with one line naming the flag, its range and
// the value.
func TestBadFlagValues(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--time", "-1s"}, "--time must be ≥ 0s, got -1s"},
		{[]string{"train", "--val-turns", "-5"}, "--val-turns must be ≥ 1, got -5"},
		{[]string{"train", "--test-turns", "-5"}, "--test-turns must be ≥ 1, got -5"},
		{[]string{"train", "--limit", "-1"}, "--limit must be ≥ 0, got -1"},
		{[]string{"train", "--init", "0"}, "--init must be 1 to 10000, got 0"},
		{[]string{"train", "--batch", "0"}, "--batch must be 1 to 1024, got 0"},
		{[]string{"train", "--train-ctx", "8"}, "--train-ctx must be ≥ 16, got 8"},
		{[]string{"train", "--param-penalty", "Inf"}, "--param-penalty must be ≥ 0, got +Inf"},
		{[]string{"train", "--budget", "-1"}, "--budget must be 0 to 1000, got -1"},
		{[]string{"train", "--halving", "-1"}, "--halving must be 0 to 100, got -1"},
		{[]string{"eval", "--time", "-1s"}, "--time must be ≥ 0s, got -1s"},
		{[]string{"eval", "--limit", "-1"}, "--limit must be ≥ 0, got -1"},
		{[]string{"eval", "--retrieval-k", "0"}, "--retrieval-k must be 1 to 100, got 0"},
		{[]string{"consolidate", "--user", "u", "--epochs", "0"}, "--epochs must be 1 to 1000, got 0"},
		{[]string{"lora", "train", "--data", "x", "--rank", "100000"}, "--rank must be 1 to 4096, got 100000"},
		{[]string{"lora", "train", "--data", "x", "--loras-per-site", "100000"}, "--loras-per-site must be 1 to 16, got 100000"},
		{[]string{"lora", "train", "--data", "x", "--lr", "NaN"}, "--lr must be 1e-08 to 1, got NaN"},
		{[]string{"lora", "train", "--data", "x", "--alpha", "Inf"}, "--alpha must be 0 to 1000000, got +Inf"},
		{[]string{"lora", "train", "--data", "x", "--dropout", "NaN"}, "--dropout must be in [0, 1), got NaN"},
		{[]string{"lora", "train", "--data", "x", "--val-split", "NaN"}, "--val-split must be in [0, 1), got NaN"},
		{[]string{"lora", "train", "--data", "x", "--checkpoint-every", "-1"}, "--checkpoint-every must be 0 to 1073741824, got -1"},
		{[]string{"chat", "-n", "0"}, "-n must be 1 to 1048576, got 0"},
		{[]string{"chat", "--ctx", "-1"}, "--ctx must be ≥ 0, got -1"},
		{[]string{"chat", "--temp", "NaN"}, "--temp must be 0 to 100, got NaN"},
		{[]string{"chat", "--top-k", "-1"}, "--top-k must be ≥ 0, got -1"},
		{[]string{"chat", "--top-p", "NaN"}, "--top-p must be in (0, 1], got NaN"},
		{[]string{"chat", "--top-p", "0"}, "--top-p must be in (0, 1], got 0"},
		{[]string{"chat", "--min-p", "NaN"}, "--min-p must be in [0, 1), got NaN"},
		{[]string{"chat", "--repeat-penalty", "NaN"}, "--repeat-penalty must be in (0, 100], got NaN"},
		{[]string{"chat", "--memory-k", "-1"}, "--memory-k must be 0 to 100, got -1"},
		{[]string{"chat", "--seed", "-2"}, "--seed must be ≥ -1, got -2"},
		{[]string{"bench", "--threads", "0"}, "--threads must be 1 to 4096, got 0"},
		{[]string{"bench", "-t", "-3"}, "--threads must be 1 to 4096, got -3"},
		{[]string{"bench", "--depth", "-1"}, "--depth must be 0 to 1048576, got -1"},
		{[]string{"bench", "--reps", "0"}, "--reps must be 1 to 1000, got 0"},
		{[]string{"bench", "bo", "--seeds", "0"}, "--seeds must be 1 to 10000, got 0"},
		{[]string{"bench", "bo", "--evals", "-1"}, "--evals must be 1 to 100000, got -1"},
		{[]string{"bench", "bo", "--init", "0"}, "--init must be 1 to 100000, got 0"},
		{[]string{"bench", "bo", "--workers", "-1"}, "--workers must be 0 to 4096, got -1"},
		{[]string{"bench", "train", "--rank", "0"}, "--rank must be 1 to 4096, got 0"},
		{[]string{"bench", "train", "--steps", "0"}, "--steps must be 1 to 10000, got 0"},
	}
	for _, c := range cases {
		r := run(t, "", c.args...)
		if r.code != 1 || r.stderr != "milp-lite: "+c.want+"\n" {
			t.Errorf("milp-lite %s: exit %d, stderr %q; want exit 1 and the one line %q",
				strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
}

// TestFlagDefaultsInRange: every bounded flag's default lies in its range,
// unless its help says the default is chosen at run time.
func TestFlagDefaultsInRange(t *testing.T) {
	var walk func(path string, cmds []*cli.Command)
	checked := 0
	walk = func(path string, cmds []*cli.Command) {
		for _, cmd := range cmds {
			for _, f := range cmd.Flags {
				b, ok := flagBounds[f]
				if !ok {
					continue
				}
				var x float64
				switch f := f.(type) {
				case *cli.IntFlag:
					if f.DefaultText != "" {
						continue
					}
					x = float64(f.Value)
				case *cli.Int64Flag:
					x = float64(f.Value)
				case *cli.Float64Flag:
					x = f.Value
				case *cli.DurationFlag:
					x = float64(f.Value)
				}
				checked++
				if !b.contains(x) {
					t.Errorf("%s%s --%s: default %v outside %s", path, cmd.Name, f.Names()[0], x, b)
				}
			}
			walk(path+cmd.Name+" ", cmd.Subcommands)
		}
	}
	walk("", newApp().Commands)
	if checked < 30 {
		t.Fatalf("only %d bounded flags found", checked)
	}
}

func TestBoundsString(t *testing.T) {
	for _, c := range []struct {
		b    bounds
		want string
	}{
		{bounds{lo: 0, hi: 1}, "0 to 1"},
		{bounds{lo: 0, hi: 1, hiOpen: true}, "in [0, 1)"},
		{bounds{lo: 0, hi: 1, loOpen: true}, "in (0, 1]"},
		{atLeast(2), "≥ 2"},
		{bounds{lo: 0, hi: atLeast(0).hi, loOpen: true}, "> 0"},
		{bounds{lo: 0, hi: 3e9, duration: true}, "0s to 3s"},
	} {
		if got := c.b.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.b, got, c.want)
		}
	}
}
