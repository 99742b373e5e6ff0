package lora

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/safetensors"
)

// PEFTOptions shape a PEFT export.
type PEFTOptions struct {
	DType safetensors.DType // of the factors: F32 (the zero value's meaning), F16 or BF16
	// BaseModel is adapter_config.json's base_model_name_or_path, what
	// AutoPeftModelForCausalLM loads the base from (a Hugging Face repository
	// or folder); empty: the base model's general.name.
	BaseModel string
}

// SavePEFT writes the adapter as a Hugging Face PEFT LoRA directory (created
// if missing): adapter_model.safetensors with the factors in opts.DType under
// PEFT's names, a llama model's Q and K output rows put back
// in the transformers layout, and adapter_config.json whose lora_alpha and r
// (rank_pattern and alpha_pattern where a site's rank differs) give every
// site the scale it has here, the user's Scale included. m is the model the
// adapter was loaded for. The base model's record goes in the safetensors
// metadata (milp.base.*; PEFT reads only "format" there).
func (a *Adapter) SavePEFT(dir string, m *nn.Model, opts PEFTOptions) error {
	dtype := cmp.Or(opts.DType, safetensors.F32)
	var (
		tensors []safetensors.Data
		targets []string
		r0      int
		err     error
	)
	baseName := cmp.Or(opts.BaseModel, a.Base.Name, m.Config.Name)
	cfg := peftConfig{PeftType: "LORA", TaskType: "CAUSAL_LM", BaseModel: baseName, Bias: "none", InferenceMode: true,
		RankPattern: map[string]int{}, AlphaPattern: map[string]float64{}}
	a.Each(func(l int, s nn.Site, f *Factors) {
		if err != nil {
			return
		}
		module := hfModuleKey(l, s)
		if r0 == 0 {
			r0 = f.Rank
			cfg.R, cfg.LoraAlpha = f.Rank, a.peftAlpha(f.Rank)
		} else if f.Rank != r0 {
			cfg.RankPattern[module] = f.Rank
			if alpha := a.peftAlpha(f.Rank); alpha != cfg.LoraAlpha {
				cfg.AlphaPattern[module] = alpha
			}
		}
		short := hfModules[s][strings.IndexByte(hfModules[s], '.')+1:]
		if !slices.Contains(targets, short) {
			targets = append(targets, short)
		}
		b := f.B
		if permutedSite(m, s) {
			b = ggufToHFRows(b, f.Rank, m.Config.HeadDim)
		}
		var ta, tb safetensors.Data
		if ta, err = safetensors.FromFloat32(peftTensorName(l, s, true), dtype, []uint64{uint64(f.Rank), uint64(f.In)}, f.A); err != nil {
			return
		}
		if tb, err = safetensors.FromFloat32(peftTensorName(l, s, false), dtype, []uint64{uint64(f.Out), uint64(f.Rank)}, b); err != nil {
			return
		}
		tensors = append(tensors, ta, tb)
	})
	if err != nil {
		return err
	}
	if r0 == 0 {
		return fmt.Errorf("the adapter modifies no site: nothing to export")
	}
	slices.Sort(targets)
	if cfg.TargetModules, err = json.Marshal(targets); err != nil {
		return err
	}
	js, err := json.MarshalIndent(&cfg, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	meta := map[string]string{"format": "pt"}
	for k, v := range a.Base.keyValues() {
		meta[k] = v
	}
	if err := safetensors.WriteFile(filepath.Join(dir, PEFTWeightsFile), tensors, meta); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, PEFTConfigFile), append(js, '\n'))
}

// peftAlpha is the lora_alpha that gives a site of rank r, under PEFT's
// alpha/r, the scale it has here.
func (a *Adapter) peftAlpha(r int) float64 {
	if a.Alpha == 0 {
		return float64(a.Scale) * float64(r)
	}
	return float64(a.Scale * a.Alpha)
}
