package lora

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/milp-lite/milp-lite/nn"
)

// Hugging Face PEFT names a LoRA factor after the module it adapts, in the
// transformers model wrapped by PEFT:
// "base_model.model.model.layers.N.mlp.up_proj.lora_A.weight". llama.cpp's
// convert_lora_to_gguf maps these to "blk.N.ffn_up.weight.lora_a"; so do we.
const (
	peftPrefix  = "base_model.model."
	peftLayers  = "model.layers."
	peftFactorA = ".lora_A.weight"
	peftFactorB = ".lora_B.weight"
)

// hfModules are the transformers module paths of the sites, inside a layer,
// for llama and qwen2 alike.
var hfModules = [nn.NumSites]string{
	nn.SiteQ: "self_attn.q_proj", nn.SiteK: "self_attn.k_proj", nn.SiteV: "self_attn.v_proj", nn.SiteO: "self_attn.o_proj",
	nn.SiteGate: "mlp.gate_proj", nn.SiteUp: "mlp.up_proj", nn.SiteDown: "mlp.down_proj",
}

// hfModuleKey is the module's name in the transformers model
// ("model.layers.3.mlp.up_proj"), what PEFT's target_modules, rank_pattern
// and alpha_pattern are matched against.
func hfModuleKey(layer int, s nn.Site) string {
	return peftLayers + strconv.Itoa(layer) + "." + hfModules[s]
}

// peftTensorName is the name PEFT saves a factor under; a is true for lora_A.
func peftTensorName(layer int, s nn.Site, a bool) string {
	if a {
		return peftPrefix + hfModuleKey(layer, s) + peftFactorA
	}
	return peftPrefix + hfModuleKey(layer, s) + peftFactorB
}

// parsePEFTName reads a PEFT tensor name into its layer, site and factor.
// Anything else PEFT can save (biases, DoRA magnitudes, embedding LoRAs,
// modules_to_save copies) is an error naming what it is.
func parsePEFTName(name string, layers int) (layer int, site nn.Site, isA bool, err error) {
	rest, ok := strings.CutPrefix(name, peftPrefix)
	if !ok {
		return 0, 0, false, fmt.Errorf("does not start with %q as PEFT's names do", peftPrefix)
	}
	switch {
	case strings.HasSuffix(rest, peftFactorA):
		rest, isA = strings.TrimSuffix(rest, peftFactorA), true
	case strings.HasSuffix(rest, peftFactorB):
		rest = strings.TrimSuffix(rest, peftFactorB)
	case strings.Contains(rest, "lora_magnitude_vector"):
		return 0, 0, false, fmt.Errorf("is a DoRA magnitude: milp-lite and llama.cpp apply plain LoRA only")
	case strings.Contains(rest, "lora_embedding_"):
		return 0, 0, false, fmt.Errorf("is a LoRA of the token embedding, which milp-lite does not adapt")
	case strings.Contains(rest, "modules_to_save"):
		return 0, 0, false, fmt.Errorf("is a fully trained copy of a module (modules_to_save), not a LoRA factor")
	case strings.HasSuffix(rest, ".bias"):
		return 0, 0, false, fmt.Errorf("is a bias (PEFT's bias other than \"none\"), which milp-lite does not apply")
	default:
		return 0, 0, false, fmt.Errorf("is neither a .lora_A.weight nor a .lora_B.weight")
	}
	rest, ok = strings.CutPrefix(rest, peftLayers)
	num, module, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return 0, 0, false, fmt.Errorf("adapts no linear layer of a block (want %sN.<module>)", peftPrefix+peftLayers)
	}
	layer, err = strconv.Atoi(num)
	if err != nil || layer < 0 || layer >= layers {
		return 0, 0, false, fmt.Errorf("layer %s is not one of the model's %d", num, layers)
	}
	for s, m := range hfModules {
		if m == module {
			return layer, nn.Site(s), isA, nil
		}
	}
	return 0, 0, false, fmt.Errorf("module %q is none of the projections milp-lite adapts (%s)", module, strings.Join(hfModules[:], ", "))
}

// ropeRow is, for a row g of a Q or K projection as a llama GGUF stores it,
// the row of the same output in the Hugging Face checkpoint. llama.cpp's
// converter permutes each head's rows so that RoPE rotates adjacent pairs
// (2i, 2i+1) where transformers rotates halves (i, i+d/2): GGUF row
// h·d + 2i + j holds HF row h·d + j·d/2 + i. A LoRA's B factor (its output
// rows) moves with the weight; A is untouched.
func ropeRow(g, headDim int) int {
	h, rem := g/headDim, g%headDim
	return h*headDim + (rem%2)*(headDim/2) + rem/2
}

// permutedSite says whether a site's output rows are permuted between the
// two layouts: Q and K for a model that rotates adjacent pairs (llama), none
// for one that rotates halves (qwen2), as llama.cpp's converter does.
func permutedSite(m *nn.Model, s nn.Site) bool {
	return !m.Config.RopeNeoX && (s == nn.SiteQ || s == nn.SiteK)
}

// hfToGGUFRows reorders B's rows (Out rows of rank) from the HF layout to
// the GGUF one; ggufToHFRows undoes it.
func hfToGGUFRows(b []float32, rank, headDim int) []float32 {
	out := make([]float32, len(b))
	for g := 0; g < len(b)/rank; g++ {
		copy(out[g*rank:(g+1)*rank], b[ropeRow(g, headDim)*rank:])
	}
	return out
}

func ggufToHFRows(b []float32, rank, headDim int) []float32 {
	out := make([]float32, len(b))
	for g := 0; g < len(b)/rank; g++ {
		copy(out[ropeRow(g, headDim)*rank:], b[g*rank:(g+1)*rank])
	}
	return out
}
