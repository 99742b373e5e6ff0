package bench

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// synthVersion is bumped whenever the way cached files are made changes, so
// that files from an older milp-lite are not reused.
const synthVersion = 1

// Metadata keys that record how a cached file was made, checked on reuse.
const (
	keyShape = "milp-lite.bench.shape"
	keyType  = "milp-lite.bench.type"
	keySeed  = "milp-lite.bench.seed"
)

// DefaultCacheDir is where synthetic models are kept unless told otherwise:
// milp-lite/bench under the user's cache directory.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (use --cache): %w", err)
	}
	return filepath.Join(dir, "milp-lite", "bench"), nil
}

// ModelCache keeps synthetic models in Dir, one file per shape, type and seed.
type ModelCache struct {
	Dir  string
	Seed uint64
}

// Path is the file that holds shape s in type t: the shape's name, the type,
// the seed and a hash of the full shape (two shapes may share a name) are all
// in the file name.
func (c *ModelCache) Path(s nn.Shape, t quant.Type) string {
	name := fmt.Sprintf("%s-%s-seed%d-%08x.gguf", fileSafe(s.Name), t, c.Seed, shapeHash(s))
	return filepath.Join(c.Dir, name)
}

// shapeKey is the full description of a shape as recorded in a cached file.
func shapeKey(s nn.Shape) string { return fmt.Sprintf("v%d %+v", synthVersion, s) }

func shapeHash(s nn.Shape) uint32 {
	h := fnv.New32a()
	h.Write([]byte(shapeKey(s)))
	return h.Sum32()
}

// fileSafe keeps letters, digits, '.', '-' and '_' of a name for a file name.
func fileSafe(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, name)
}

// Ensure returns the path of shape s in type t, writing the file first unless
// a file made from the same shape, type and seed is already there. status, if
// not nil, is told what is happening (for progress display). written reports
// whether the file was (re)written.
func (c *ModelCache) Ensure(s nn.Shape, t quant.Type, status func(string)) (path string, written bool, err error) {
	if status == nil {
		status = func(string) {}
	}
	path = c.Path(s, t)
	if _, err := os.Stat(path); err == nil {
		why := c.checkCached(path, s, t)
		if why == nil {
			return path, false, nil
		}
		status(fmt.Sprintf("rewriting %s: %v", filepath.Base(path), why))
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, fmt.Errorf("bench cache: %w", err)
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", false, fmt.Errorf("bench cache: %w", err)
	}
	need := estimateFileBytes(s, t)
	if free, ok := diskFree(c.Dir); ok && free < need+need/20+64<<20 {
		return "", false, fmt.Errorf("bench cache %s: writing %s %s needs about %s but only %s is free (choose another directory with --cache, or fewer shapes/types)",
			c.Dir, s.Name, t, humanBytes(need), humanBytes(free))
	}
	status(fmt.Sprintf("synthesising %s %s (%s)", s.Name, t, humanBytes(need)))
	b, err := synthesize(s, t, c.Seed)
	if err != nil {
		return "", false, fmt.Errorf("synthesising %s %s: %w", s.Name, t, err)
	}
	b.Set(keyShape, gguf.Str(shapeKey(s)))
	b.Set(keyType, gguf.Str(t.String()))
	b.Set(keySeed, gguf.U64(c.Seed))
	status(fmt.Sprintf("writing %s", filepath.Base(path)))
	if err := b.WriteFile(path); err != nil {
		return "", false, fmt.Errorf("writing %s: %w", path, err)
	}
	return path, true, nil
}

// checkCached says why the file at path is not shape s in type t with the
// cache's seed, or nil when it is. Only the header is read (the file is
// mapped), so checking a large file is cheap.
func (c *ModelCache) checkCached(path string, s nn.Shape, t quant.Type) error {
	f, err := gguf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if name, err := f.String("general.name"); err != nil || name != s.Name+" (synthetic)" {
		return fmt.Errorf("general.name is %q, want %q", name, s.Name+" (synthetic)")
	}
	if got, err := f.String(keyShape); err != nil || got != shapeKey(s) {
		return fmt.Errorf("%s is %q, want %q", keyShape, got, shapeKey(s))
	}
	if got, err := f.String(keyType); err != nil || got != t.String() {
		return fmt.Errorf("%s is %q, want %q", keyType, got, t)
	}
	if got, err := f.Uint(keySeed); err != nil || got != c.Seed {
		return fmt.Errorf("%s is %d, want %d", keySeed, got, c.Seed)
	}
	return nil
}

// fallbackTypes are the types a matrix is stored in when its rows are not a
// whole number of the requested type's 256-value blocks (SmolLM2's width is
// 576, Qwen2.5-0.5B's 896): the same choice llama.cpp's quantiser makes, so
// that the synthetic file looks like a real one of that type.
var fallbackTypes = map[quant.Type]quant.Type{
	quant.Q4_K: quant.Q5_0,
	quant.Q5_K: quant.Q5_1,
	quant.Q6_K: quant.Q8_0,
}

// matrixType is the type a matrix of cols columns is stored in when t is asked for.
func matrixType(t quant.Type, cols int) quant.Type {
	if cols%t.BlockSize() != 0 {
		if fb, ok := fallbackTypes[t]; ok {
			return fb
		}
	}
	return t
}

// synthesize builds shape s in type t. When every matrix fits t's blocks this
// is nn.Synthesize. Otherwise the model is synthesised in Q8_0 (whose
// 32-value blocks fit every real shape) and each matrix re-quantised to t
// or, where its rows do not fit, to t's fallback type: nn.Synthesize takes
// one type for all matrices. The extra rounding is irrelevant for random
// weights.
func synthesize(s nn.Shape, t quant.Type, seed uint64) (*gguf.Builder, error) {
	if matrixType(t, s.Dim) == t && matrixType(t, s.FFNDim) == t {
		return nn.Synthesize(s, t, seed)
	}
	src, err := nn.Synthesize(s, quant.Q8_0, seed)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := src.WriteTo(&buf); err != nil {
		return nil, err
	}
	f, err := gguf.Parse(buf.Bytes())
	if err != nil {
		return nil, err
	}
	b := gguf.NewBuilder()
	for _, kv := range f.KV {
		b.Set(kv.Key, kv.Value)
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		data, typ := f.TensorData(ti), ti.Type
		if typ == quant.Q8_0 { // a matrix: vectors are F32
			vals := make([]float32, ti.Elements())
			if err := quant.Dequantize(typ, data, vals); err != nil {
				return nil, fmt.Errorf("%s: %w", ti.Name, err)
			}
			typ = matrixType(t, int(ti.Dims[0]))
			if data, err = quant.Quantize(typ, vals); err != nil {
				return nil, fmt.Errorf("%s: %w", ti.Name, err)
			}
		}
		if err := b.AddTensor(ti.Name, typ, ti.Dims, data); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// estimateFileBytes is about the size of the file Ensure writes for shape s
// in type t: the tensors plus an allowance for the vocabulary and header.
func estimateFileBytes(s nn.Shape, t quant.Type) int64 {
	var n int64
	for _, m := range shapeMatrices(s) {
		rb, err := matrixType(t, m.cols).RowBytes(m.cols)
		if err != nil {
			rb = 4 * m.cols // a shape the type cannot hold: Ensure will say so
		}
		n += int64(m.rows) * int64(rb)
	}
	kvDim := s.KVHeads * (s.Dim / max(s.Heads, 1))
	vectors := s.Dim + s.Layers*2*s.Dim
	if s.Arch == "qwen2" {
		vectors += s.Layers * (s.Dim + 2*kvDim)
	}
	vocab := int64(s.Vocab) * 32 // token string, score and type, with their headers
	return n + 4*int64(vectors) + vocab + 1<<20
}

type matrixShape struct{ rows, cols int }

// shapeMatrices lists the matrices a model of shape s stores.
func shapeMatrices(s nn.Shape) []matrixShape {
	kvDim := s.KVHeads * (s.Dim / max(s.Heads, 1))
	ms := []matrixShape{{s.Vocab, s.Dim}}
	if !s.Tied {
		ms = append(ms, matrixShape{s.Vocab, s.Dim})
	}
	for l := 0; l < s.Layers; l++ {
		ms = append(ms, matrixShape{s.Dim, s.Dim}, matrixShape{kvDim, s.Dim}, matrixShape{kvDim, s.Dim}, matrixShape{s.Dim, s.Dim},
			matrixShape{s.FFNDim, s.Dim}, matrixShape{s.FFNDim, s.Dim}, matrixShape{s.Dim, s.FFNDim})
	}
	return ms
}

// humanBytes renders a byte count with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// tempFileBytes is the size of the temporary file gguf's WriteFile is
// writing for path (named ".<base>.tmp-*" beside it), or 0 if there is none.
func tempFileBytes(path string) int64 {
	dir, base := filepath.Split(path)
	matches, _ := filepath.Glob(filepath.Join(dir, "."+base+".tmp-*"))
	var n int64
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil {
			n = max(n, st.Size())
		}
	}
	return n
}
