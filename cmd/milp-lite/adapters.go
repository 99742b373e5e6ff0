package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
)

// loadLoRAs reads --adapter values, each a LoRA GGUF or a PEFT directory,
// with an optional multiplier: PATH[:SCALE]. An adapter made for another
// model is refused with both named (lora.Base); one that does not say which
// model it was made for loads with a note.
func loadLoRAs(specs []string, m *nn.Model) ([]*lora.Adapter, error) {
	var out []*lora.Adapter
	for _, spec := range specs {
		path, scale := spec, 1.0
		if i := strings.LastIndexByte(spec, ':'); i > 0 {
			if v, err := strconv.ParseFloat(spec[i+1:], 32); err == nil {
				path, scale = spec[:i], v
			}
		}
		a, err := lora.Load(path, m)
		if err != nil {
			return nil, fmt.Errorf("--adapter: %w", err)
		}
		if !a.Base.Known() {
			fmt.Fprintf(os.Stderr, "note: %s does not record the model it was trained on (written by an older milp-lite or another tool):"+
				" it loads because its shapes fit, but is not checked to be this model's\n", path)
		}
		a.Scale = float32(scale)
		out = append(out, a)
	}
	return out, nil
}
