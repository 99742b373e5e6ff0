package milp

import (
	"fmt"
	"math"

	"github.com/milp-lite/milp-lite/bo"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/train"
)

// Placement is where a user's memory goes and how it is learned: one point of
// MiLP's search space.
type Placement struct {
	Layers       []int     `json:"layers"`
	Sites        []nn.Site `json:"-"`
	SiteNames    []string  `json:"sites"`
	Rank         int       `json:"rank"`
	LorasPerSite int       `json:"loras_per_site"`
	LR           float64   `json:"lr"`
}

func (p Placement) String() string {
	return fmt.Sprintf("layers %v, sites %v, rank %d × %d per site, lr %.2g", p.Layers, p.SiteNames, p.Rank, p.LorasPerSite, p.LR)
}

// FixedPlacement is the fixed-LoRA baseline and the search's first trial:
// rank 8 on every FFN site of every layer, one module per site, at the
// recipe's default learning rate.
func FixedPlacement(layers int) Placement {
	all := make([]int, layers)
	for i := range all {
		all[i] = i
	}
	return newPlacement(all, ffnSites, 8, 1, train.DefaultRecipe.LR)
}

var ffnSites = []nn.Site{nn.SiteGate, nn.SiteUp, nn.SiteDown}

func newPlacement(layers []int, sites []nn.Site, rank, loras int, lr float64) Placement {
	names := make([]string, len(sites))
	for i, s := range sites {
		names[i] = s.String()
	}
	return Placement{Layers: layers, Sites: sites, SiteNames: names, Rank: rank, LorasPerSite: loras, LR: lr}
}

// LoRAConfig is the placement as lora modules, of lora.DefaultAlpha and no
// dropout.
func (p Placement) LoRAConfig() lora.Config {
	return lora.Config{Sites: p.Sites, Layers: p.Layers, Modules: lora.Modules(p.LorasPerSite, p.Rank, 0)}
}

// TrainableParams counts the LoRA parameters of the placement on m.
func (p Placement) TrainableParams(m *nn.Model) int {
	c := &m.Config
	n := 0
	for range p.Layers {
		for _, s := range p.Sites {
			in, out := c.Dim, c.FFNDim // gate, up: dim → ffn
			if s == nn.SiteDown {
				in, out = c.FFNDim, c.Dim
			}
			n += p.LorasPerSite * p.Rank * (in + out)
		}
	}
	return n
}

// SearchSpace is MiLP's search space for a model of the given number of
// layers: a flag per layer (at least one), a flag per FFN site (at least
// one), the rank (1..64, log scale), LoRA modules per site (1..4) and the
// learning rate (log scale).
func SearchSpace(layers int) (*bo.Space, error) {
	return bo.NewSpace(
		bo.BoolVector("layers", layers, 1),
		bo.BoolVector("sites", len(ffnSites), 1),
		bo.Int("rank", 1, 64, true),
		bo.Int("loras_per_site", 1, 4, false),
		bo.Float("lr", 1e-4, 3e-2, true),
	)
}

// config encodes a placement as a point of the search space of a model with
// the given number of layers.
func (p Placement) config(layers int) bo.Config {
	lf := make([]bool, layers)
	for _, l := range p.Layers {
		lf[l] = true
	}
	sf := make([]bool, len(ffnSites))
	for _, s := range p.Sites {
		for i, f := range ffnSites {
			if s == f {
				sf[i] = true
			}
		}
	}
	return bo.Config{"layers": lf, "sites": sf, "rank": p.Rank, "loras_per_site": p.LorasPerSite, "lr": p.LR}
}

// PlacementOf decodes a point of the search space.
func PlacementOf(c bo.Config) (Placement, error) {
	var layers []int
	for i, on := range c.Bools("layers") {
		if on {
			layers = append(layers, i)
		}
	}
	var sites []nn.Site
	for i, on := range c.Bools("sites") {
		if on {
			sites = append(sites, ffnSites[i])
		}
	}
	p := newPlacement(layers, sites, c.Int("rank"), c.Int("loras_per_site"), c.Float("lr"))
	if len(layers) == 0 || len(sites) == 0 || p.Rank < 1 || p.LorasPerSite < 1 || !(p.LR > 0) || math.IsInf(p.LR, 0) {
		return p, fmt.Errorf("invalid placement %v", p)
	}
	return p, nil
}
