package nn

import "github.com/milp-lite/milp-lite/kernels"

// activations are the scratch of a forward pass over up to maxRows token
// rows, one row per token, allocated once so that a step allocates nothing.
// A State's rows are one sequence's consecutive tokens; a Batch's rows
// belong to many sequences.
type activations struct {
	m       *Model
	maxRows int

	x, xb, q, k, v, att, gate, up []float32
	ropeCS                        []float32 // each row's rotary angles (kernels.RoPE.Angles)
	rowTask                       rowTask
	prods                         [3]kernels.Product // products sharing one input (kernels.MatMulMany)
}

func newActivations(m *Model, rows int) activations {
	c := &m.Config
	return activations{m: m, maxRows: rows,
		x:      make([]float32, rows*c.Dim),
		xb:     make([]float32, rows*max(c.Dim, c.QDim())),
		q:      make([]float32, rows*c.QDim()),
		k:      make([]float32, rows*c.KVDim()),
		v:      make([]float32, rows*c.KVDim()),
		att:    make([]float32, rows*c.QDim()),
		gate:   make([]float32, rows*c.FFNDim),
		up:     make([]float32, rows*c.FFNDim),
		ropeCS: make([]float32, rows*m.rope.AnglesLen()),
	}
}

// sequenceOps are what differs between one sequence and a batch of them in
// a forward pass: where the rows' keys and values go and what each row
// attends to, and which adapters apply to which rows.
type sequenceOps interface {
	// attend stores the rows' keys and values (a.k, a.v, rotated) in their
	// sequences' caches and writes each row's attention output to a.att.
	attend(a *activations, layer, rows int)
	// adapt adds the adapters' terms for (layer, site) to y, given x.
	adapt(layer int, site Site, y, x []float32, rows int)
}
