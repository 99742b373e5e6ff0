package nn

import (
	"fmt"
	"math"

	"github.com/milp-lite/milp-lite/gguf"
)

// The sane range of every hyper-parameter a GGUF sets. A model file is
// untrusted input: each bound lies far above any released model, yet low
// enough that nothing derived from the values (head size, buffer lengths,
// their products) overflows an int. Every integer the loader reads from
// metadata goes through uintIn, every float through floatIn.
const (
	maxContext = 1 << 24 // 16 Mi positions
	maxDim     = 1 << 16 // embedding width
	maxLayers  = 1 << 12
	maxFFNDim  = 1 << 18
	maxHeads   = 1 << 12
	maxVocab   = 1 << 22 // rows of token_embd.weight
	maxEps     = 1       // RMSNorm epsilon, above 0
	maxRopeFrq = 1e12    // rope.freq_base, above 0
	maxRopeScl = 1 << 16 // linear rope scaling factor, above 0
)

// uintIn reads the integer metadata key and checks lo <= v <= hi, so the
// result converts to int without wrapping.
func uintIn(f *gguf.File, key string, lo, hi int) (int, error) {
	v, err := f.Uint(key)
	if err != nil {
		return 0, err
	}
	if v < uint64(lo) || v > uint64(hi) {
		return 0, fmt.Errorf("metadata %s = %d is out of range [%d, %d]", key, v, lo, hi)
	}
	return int(v), nil
}

// optionalUintIn is uintIn for a key that may be absent (then def).
func optionalUintIn(f *gguf.File, key string, lo, hi, def int) (int, error) {
	if _, ok := f.Get(key); !ok {
		return def, nil
	}
	return uintIn(f, key, lo, hi)
}

// floatIn reads the float metadata key and checks that it is finite and in
// (lo, hi]: every float hyper-parameter is a positive quantity.
func floatIn(f *gguf.File, key string, lo, hi float64) (float64, error) {
	v, err := f.Float(key)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || v <= lo || v > hi {
		return 0, fmt.Errorf("metadata %s = %g is out of range (%g, %g]", key, v, lo, hi)
	}
	return v, nil
}

// optionalFloatIn is floatIn for a key that may be absent (then def).
func optionalFloatIn(f *gguf.File, key string, lo, hi, def float64) (float64, error) {
	if _, ok := f.Get(key); !ok {
		return def, nil
	}
	return floatIn(f, key, lo, hi)
}
