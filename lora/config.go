package lora

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/milp-lite/milp-lite/nn"
)

// ModuleConfig is the shape of one LoRA module.
type ModuleConfig struct {
	Rank  int
	Alpha float32
}

// Config says where the modules go: every listed site of every listed layer
// gets the same list of modules.
type Config struct {
	Sites   []nn.Site
	Layers  []int
	Modules []ModuleConfig
	Dropout float32 // probability of dropping an input of the LoRA path in training
}

// ParseSites reads a comma-separated list of site names ("ffn_up,ffn_down"),
// or "all", "attn" or "ffn".
func ParseSites(s string) ([]nn.Site, error) {
	switch s {
	case "all":
		return []nn.Site{nn.SiteQ, nn.SiteK, nn.SiteV, nn.SiteO, nn.SiteGate, nn.SiteUp, nn.SiteDown}, nil
	case "attn":
		return []nn.Site{nn.SiteQ, nn.SiteK, nn.SiteV, nn.SiteO}, nil
	case "ffn":
		return []nn.Site{nn.SiteGate, nn.SiteUp, nn.SiteDown}, nil
	}
	var out []nn.Site
	seen := map[nn.Site]bool{}
	for _, name := range strings.Split(s, ",") {
		site, err := nn.ParseSite(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		if !seen[site] {
			seen[site] = true
			out = append(out, site)
		}
	}
	return out, nil
}

// ParseLayers reads "all", a list "0,3,5", ranges "0-4" or a mix, for a
// model of n layers. The result is sorted and without repeats.
func ParseLayers(s string, n int) ([]int, error) {
	if s == "all" {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	set := make([]bool, n)
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || part == "" {
			return nil, fmt.Errorf("layers %q: %q is not a layer number or range like 0-4", s, part)
		}
		if a > b || a < 0 || b >= n {
			return nil, fmt.Errorf("layers %q: %q is outside the model's layers 0-%d", s, part, n-1)
		}
		for i := a; i <= b; i++ {
			set[i] = true
		}
	}
	var out []int
	for i, ok := range set {
		if ok {
			out = append(out, i)
		}
	}
	return out, nil
}

// DefaultAlpha is a module's alpha when none is given: twice its rank, so
// that a module's scale alpha/rank is 2 at every rank and a search over
// ranks does not also search over scales.
func DefaultAlpha(rank int) float32 { return float32(2 * rank) }

// Modules is n modules of one rank, each of the given alpha (0: DefaultAlpha).
func Modules(n, rank int, alpha float32) []ModuleConfig {
	if alpha == 0 {
		alpha = DefaultAlpha(rank)
	}
	mods := make([]ModuleConfig, n)
	for i := range mods {
		mods[i] = ModuleConfig{Rank: rank, Alpha: alpha}
	}
	return mods
}
