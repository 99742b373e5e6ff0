package lora

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/safetensors"
)

// LoadPEFT reads a Hugging Face PEFT LoRA directory (adapter_config.json and
// adapter_model.safetensors) for the model it will run on, as llama.cpp's
// convert_lora_to_gguf would convert it: the names mapped to the GGUF
// sites, a llama model's Q and K output rows permuted to its rotation
// layout, and each site's PEFT scale (lora_alpha/r, alpha/√r with
// use_rslora, rank_pattern and alpha_pattern) kept: the adapter's alpha is
// lora_alpha and a site whose PEFT scale differs from alpha/r has it folded
// into B.
func LoadPEFT(dir string, m *nn.Model) (*Adapter, error) {
	if _, err := os.Stat(filepath.Join(dir, PEFTConfigFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is a folder without %s: not a PEFT adapter", dir, PEFTConfigFile)
	}
	c, err := readPEFTConfig(filepath.Join(dir, PEFTConfigFile))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, PEFTWeightsFile)); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, "adapter_model.bin")); err == nil {
			return nil, fmt.Errorf("%s holds adapter_model.bin, PyTorch's pickle format, which milp-lite does not run:"+
				" save the adapter with safe_serialization=True (PEFT's default) to get %s", dir, PEFTWeightsFile)
		}
	}
	st, err := safetensors.Open(filepath.Join(dir, PEFTWeightsFile))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	a, err := fromPEFT(c, st, m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, PEFTWeightsFile), err)
	}
	return a, nil
}

func fromPEFT(c *peftConfig, st *safetensors.File, m *nn.Model) (*Adapter, error) {
	a := newAdapter(m.Config.Arch, float32(c.LoraAlpha), m.Config.Layers)
	a.Base = baseFrom(func(key string) (string, bool) {
		v, ok := st.Metadata[key]
		return v, ok
	})
	if err := a.Base.check(m); err != nil {
		return nil, err
	}
	for i := range st.Tensors {
		ta := &st.Tensors[i]
		layer, site, isA, err := parsePEFTName(ta.Name, m.Config.Layers)
		if err != nil {
			return nil, fmt.Errorf("tensor %q %w", ta.Name, err)
		}
		nameB := peftTensorName(layer, site, false)
		if !isA {
			if _, ok := st.Tensor(peftTensorName(layer, site, true)); !ok {
				return nil, fmt.Errorf("tensor %q has no matching lora_A", ta.Name)
			}
			continue
		}
		module := hfModuleKey(layer, site)
		if !c.targets.match(module) {
			return nil, fmt.Errorf("tensor %q adapts %s, which target_modules %s does not name", ta.Name, module, c.TargetModules)
		}
		tb, ok := st.Tensor(nameB)
		if !ok {
			return nil, fmt.Errorf("tensor %q has no matching %s", ta.Name, nameB)
		}
		f, err := peftFactors(st, ta, tb, m.Weights.Layers[layer].Matrix(site), module)
		if err != nil {
			return nil, err
		}
		scale, err := c.siteScale(module, f.Rank)
		if err != nil {
			return nil, fmt.Errorf("tensor %q %w", ta.Name, err)
		}
		if permutedSite(m, site) {
			f.B = hfToGGUFRows(f.B, f.Rank, m.Config.HeadDim)
		}
		if native := a.SiteScale(f.Rank); float32(scale) != native {
			kernels.Scale(float32(scale/float64(native)), f.B)
		}
		a.set(layer, site, f)
	}
	return a, nil
}

// peftFactors reads a site's lora_A ([r, in]) and lora_B ([out, r]), which
// are laid out as the Factors' A and B already: PyTorch's Linear weights are
// out rows of in, and PEFT's factors are Linear layers.
func peftFactors(st *safetensors.File, ta, tb *safetensors.Tensor, w *kernels.Matrix, module string) (*Factors, error) {
	if len(ta.Shape) != 2 || ta.Shape[1] != uint64(w.Cols) || ta.Shape[0] == 0 || ta.Shape[0] > uint64(w.Cols) {
		return nil, fmt.Errorf("tensor %q has shape %v, the model's %s needs [r %d] with r at most %d", ta.Name, ta.Shape, module, w.Cols, w.Cols)
	}
	r := int(ta.Shape[0])
	if len(tb.Shape) != 2 || tb.Shape[0] != uint64(w.Rows) || tb.Shape[1] != uint64(r) {
		return nil, fmt.Errorf("tensor %q has shape %v, the model's %s with rank %d needs [%d %d]", tb.Name, tb.Shape, module, r, w.Rows, r)
	}
	A, err := st.Float32s(ta)
	if err != nil {
		return nil, err
	}
	B, err := st.Float32s(tb)
	if err != nil {
		return nil, err
	}
	return &Factors{Rank: r, In: w.Cols, Out: w.Rows, A: A, B: B}, nil
}
