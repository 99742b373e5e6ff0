package lora

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/nn"
)

// Base identifies the model an adapter was trained on. An adapter carries
// it (in GGUF metadata and PEFT's safetensors metadata, under milp.base.*)
// so that loading it onto another model fails with both named, where
// llama.cpp would apply it silently whenever the shapes happen to fit.
// Adapters written before the record existed have a zero Base and load
// with only their shapes checked.
type Base struct {
	Arch   string // general.architecture
	Name   string // general.name
	Shapes string // ShapeHash of the model's tensors
}

// Metadata keys of the record.
const (
	keyBaseArch   = "milp.base.architecture"
	keyBaseName   = "milp.base.name"
	keyBaseShapes = "milp.base.shape_hash"
)

// baseKeys are the record's keys in the order files carry them.
var baseKeys = []string{keyBaseArch, keyBaseName, keyBaseShapes}

// BaseOf is the record of model m.
func BaseOf(m *nn.Model) Base {
	return Base{Arch: m.Config.Arch, Name: m.Config.Name, Shapes: ShapeHash(m.File)}
}

// ShapeHash is a digest of a model file's tensor names and shapes (the first
// 16 hex digits of a SHA-256): equal for the same network in any weight type,
// merged with an adapter or not, and different for another architecture,
// size or vocabulary.
func ShapeHash(f *gguf.File) string {
	lines := make([]string, len(f.Tensors))
	for i, t := range f.Tensors {
		dims := make([]string, len(t.Dims))
		for j, d := range t.Dims {
			dims[j] = strconv.FormatUint(d, 10)
		}
		lines[i] = t.Name + ":" + strings.Join(dims, ",") + "\n"
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "")))
	return hex.EncodeToString(sum[:8])
}

// Known says whether the adapter recorded its base model.
func (b Base) Known() bool { return b.Shapes != "" }

func (b Base) String() string {
	return fmt.Sprintf("%s (%s, tensor shapes %s)", strconv.Quote(b.Name), b.Arch, b.Shapes)
}

// check refuses an adapter recorded for another model: another
// architecture or tensor shapes, or another name when both models have one.
func (b Base) check(m *nn.Model) error {
	if !b.Known() {
		return nil
	}
	here := BaseOf(m)
	if b.Arch != here.Arch || b.Shapes != here.Shapes || b.Name != "" && here.Name != "" && b.Name != here.Name {
		return fmt.Errorf("adapter was trained on %s but the model is %s", b, here)
	}
	return nil
}

// keyValues are the record's metadata, none when it is unknown.
func (b Base) keyValues() map[string]string {
	if !b.Known() {
		return nil
	}
	return map[string]string{keyBaseArch: b.Arch, keyBaseName: b.Name, keyBaseShapes: b.Shapes}
}

// baseFrom reads the record from metadata lookups; an absent record is a
// zero Base.
func baseFrom(get func(key string) (string, bool)) Base {
	var b Base
	b.Arch, _ = get(keyBaseArch)
	b.Name, _ = get(keyBaseName)
	b.Shapes, _ = get(keyBaseShapes)
	if b.Shapes == "" {
		return Base{}
	}
	return b
}
