package lora

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
)

// PEFT's file names inside an adapter directory.
const (
	PEFTConfigFile  = "adapter_config.json"
	PEFTWeightsFile = "adapter_model.safetensors"
)

// maxPEFTConfigBytes caps adapter_config.json: real ones are a few hundred
// bytes, a rank_pattern for every module of a large model some tens of KiB.
const maxPEFTConfigBytes = 1 << 20

// peftConfig is the part of PEFT's LoraConfig that decides what an adapter
// computes. Fields PEFT writes that change nothing at inference
// (lora_dropout, task_type, init_lora_weights, ...) are ignored on reading.
type peftConfig struct {
	PeftType      string             `json:"peft_type"`
	TaskType      string             `json:"task_type,omitempty"`
	BaseModel     string             `json:"base_model_name_or_path"`
	R             int                `json:"r"`
	LoraAlpha     float64            `json:"lora_alpha"`
	LoraDropout   float64            `json:"lora_dropout"`
	UseRSLoRA     bool               `json:"use_rslora"`
	UseDoRA       bool               `json:"use_dora"`
	FanInFanOut   bool               `json:"fan_in_fan_out"`
	Bias          string             `json:"bias"`
	TargetModules json.RawMessage    `json:"target_modules"`
	ModulesToSave []string           `json:"modules_to_save"`
	RankPattern   map[string]int     `json:"rank_pattern"`
	AlphaPattern  map[string]float64 `json:"alpha_pattern"`
	InferenceMode bool               `json:"inference_mode"`

	targets *targetMatcher
	ranks   pattern[int]
	alphas  pattern[float64]
}

// readPEFTConfig reads and checks adapter_config.json.
func readPEFTConfig(path string) (*peftConfig, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxPEFTConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxPEFTConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a PEFT adapter config", path, maxPEFTConfigBytes)
	}
	c, err := parsePEFTConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func parsePEFTConfig(data []byte) (*peftConfig, error) {
	var c peftConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *peftConfig) check() error {
	switch {
	case c.PeftType != "LORA":
		return fmt.Errorf("peft_type is %q: milp-lite reads LORA adapters", c.PeftType)
	case c.UseDoRA:
		return fmt.Errorf("use_dora is true: milp-lite and llama.cpp apply plain LoRA only")
	case c.Bias != "" && c.Bias != "none":
		return fmt.Errorf("bias is %q: milp-lite applies LoRA factors only (bias \"none\")", c.Bias)
	case len(c.ModulesToSave) > 0:
		return fmt.Errorf("modules_to_save %v: fully trained module copies cannot be applied as a LoRA", c.ModulesToSave)
	case c.R < 1:
		return fmt.Errorf("r is %d, not a positive rank", c.R)
	case math.IsNaN(c.LoraAlpha) || math.IsInf(c.LoraAlpha, 0):
		return fmt.Errorf("lora_alpha is %v", c.LoraAlpha)
	}
	// fan_in_fan_out concerns GPT-2's Conv1D layers, which store their weight
	// transposed; on the nn.Linear projections of llama and qwen2 PEFT itself
	// resets it to false, and lora_A/lora_B are [r, in] and [out, r] either way.
	var err error
	c.targets, err = newTargetMatcher(c.TargetModules)
	if err != nil {
		return fmt.Errorf("target_modules: %w", err)
	}
	for k, a := range c.AlphaPattern {
		if math.IsNaN(a) || math.IsInf(a, 0) {
			return fmt.Errorf("alpha_pattern[%q] is %v", k, a)
		}
	}
	if c.ranks, err = compilePattern("rank_pattern", c.RankPattern); err != nil {
		return err
	}
	c.alphas, err = compilePattern("alpha_pattern", c.AlphaPattern)
	return err
}

// maxPatternKeys caps rank_pattern and alpha_pattern: PEFT writes a key per
// module whose rank or alpha differs, a few thousand for the largest models,
// and every module is matched against every key.
const maxPatternKeys = 4096

// pattern is a compiled rank_pattern or alpha_pattern: PEFT matches each key,
// a regular expression, against a whole trailing run of a module name's
// dotted parts. The first key that matches, in sorted order, wins (Go's maps
// have no order; PEFT's dicts keep the file's, and the files PEFT writes
// never have two keys matching one module).
type pattern[V any] struct {
	res  []*regexp.Regexp
	vals []V
}

func compilePattern[V any](name string, m map[string]V) (pattern[V], error) {
	var p pattern[V]
	if len(m) > maxPatternKeys {
		return p, fmt.Errorf("%s has %d keys, more than the %d milp-lite reads", name, len(m), maxPatternKeys)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		re, err := regexp.Compile(`^(?:.*\.)?(?:` + k + `)$`)
		if err != nil {
			return p, fmt.Errorf("%s key %q: %w", name, k, err)
		}
		p.res, p.vals = append(p.res, re), append(p.vals, m[k])
	}
	return p, nil
}

func (p pattern[V]) match(module string) (V, bool) {
	for i, re := range p.res {
		if re.MatchString(module) {
			return p.vals[i], true
		}
	}
	var zero V
	return zero, false
}

// siteScale is PEFT's factor of B·A for a module of rank r: its alpha
// (lora_alpha, or alpha_pattern's) over r, or over √r with use_rslora.
func (c *peftConfig) siteScale(module string, r int) (float64, error) {
	want := c.R
	if v, ok := c.ranks.match(module); ok {
		want = v
	}
	if r != want {
		return 0, fmt.Errorf("has rank %d but the config gives %s rank %d", r, module, want)
	}
	alpha := c.LoraAlpha
	if a, ok := c.alphas.match(module); ok {
		alpha = a
	}
	if c.UseRSLoRA {
		return alpha / math.Sqrt(float64(r)), nil
	}
	return alpha / float64(r), nil
}

// targetMatcher is PEFT's target_modules: a list of names, each matching a
// module whose name is it or ends in "."+it; a regular expression the whole
// module name must match; or "all-linear".
type targetMatcher struct {
	names []string
	re    *regexp.Regexp
	all   bool
}

func newTargetMatcher(raw json.RawMessage) (*targetMatcher, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return &targetMatcher{all: true}, nil // PEFT fills in the architecture's defaults, all of them linear
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == "all-linear" {
			return &targetMatcher{all: true}, nil
		}
		re, err := regexp.Compile(`^(?:` + s + `)$`)
		if err != nil {
			return nil, fmt.Errorf("%q is not a regular expression Go reads: %w", s, err)
		}
		return &targetMatcher{re: re}, nil
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		return nil, fmt.Errorf("neither a list of module names nor a regular expression")
	}
	return &targetMatcher{names: names}, nil
}

func (t *targetMatcher) match(module string) bool {
	switch {
	case t.all:
		return true
	case t.re != nil:
		return t.re.MatchString(module)
	}
	for _, n := range t.names {
		if module == n || strings.HasSuffix(module, "."+n) {
			return true
		}
	}
	return false
}
