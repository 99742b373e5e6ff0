package nn

import (
	"fmt"
	"strings"

	"github.com/milp-lite/milp-lite/kernels"
)

// Site is one of the linear layers of a transformer block, where an adapter
// (a LoRA) can add a learned term to the frozen weight's output.
type Site int

// The linear sites, in the order the forward pass meets them.
const (
	SiteQ Site = iota
	SiteK
	SiteV
	SiteO
	SiteGate
	SiteUp
	SiteDown
	NumSites
)

// siteNames are llama.cpp's tensor names for the sites, as in
// "blk.N.<name>.weight".
var siteNames = [NumSites]string{"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}

func (s Site) String() string {
	if s >= 0 && s < NumSites {
		return siteNames[s]
	}
	return fmt.Sprintf("site(%d)", int(s))
}

// ParseSite reads a site by its tensor name ("ffn_up").
func ParseSite(name string) (Site, error) {
	for i, n := range siteNames {
		if n == name {
			return Site(i), nil
		}
	}
	return 0, fmt.Errorf("unknown site %q (want one of %s)", name, strings.Join(siteNames[:], ", "))
}

// TensorName is the base model tensor a site of layer l multiplies by.
func (s Site) TensorName(layer int) string { return fmt.Sprintf("blk.%d.%s.weight", layer, s) }

// Matrix is the frozen weight of site s.
func (lw *LayerWeights) Matrix(s Site) *kernels.Matrix {
	return [NumSites]*kernels.Matrix{lw.Wq, lw.Wk, lw.Wv, lw.Wo, lw.Gate, lw.Up, lw.Down}[s]
}

// Adapter adds a learned correction to the outputs of linear sites, applied
// in the forward pass without changing the model's weights (package lora
// implements it). An adapter is read-only once loaded: its working memory is
// the caller's scratch, so one adapter serves many sequences at once, on
// several workers, and generation stays allocation-free with adapters.
type Adapter interface {
	// Adapt adds the adapter's term for (layer, site) to y, batch rows of the
	// site's outputs, given x, the batch rows of the site's inputs. Sites the
	// adapter does not modify are left alone. scratch holds at least
	// ScratchLen() values for the call's own use.
	Adapt(layer int, site Site, y, x []float32, batch int, scratch []float32)
	// ScratchLen is the scratch an Adapt call needs.
	ScratchLen() int
}

// SetAdapters makes the sequence use adapters (none: the base model). The
// KV cache was computed without them, so the sequence is reset.
func (s *State) SetAdapters(adapters ...Adapter) {
	s.adapters = append(s.adapters[:0], adapters...)
	s.adapterScratch = growScratch(s.adapterScratch, adapters)
	s.Reset()
}

// growScratch is buf, grown to what the adapters need.
func growScratch(buf []float32, adapters []Adapter) []float32 {
	n := 0
	for _, a := range adapters {
		n = max(n, a.ScratchLen())
	}
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// adapt implements sequenceOps: the sequence's adapters, on every row.
func (s *State) adapt(l int, site Site, y, x []float32, batch int) {
	for _, a := range s.adapters {
		a.Adapt(l, site, y, x, batch, s.adapterScratch)
	}
}

// RoPE is the model's rotary embedding, for code (such as training) that
// runs the blocks itself.
func (m *Model) RoPE() *kernels.RoPE { return m.rope }
