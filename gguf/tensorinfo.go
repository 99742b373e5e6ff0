package gguf

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/milp-lite/milp-lite/quant"
)

// MaxDims is the most dimensions a tensor may have (ggml's GGML_MAX_DIMS).
const MaxDims = 4

// TensorInfo describes one tensor: its name, shape, type and where its data lies.
type TensorInfo struct {
	Name string
	// Dims is the shape in ggml `ne` order: Dims[0] is the contiguous (row) length.
	Dims   []uint64
	Type   quant.Type
	Offset uint64 // relative to File.DataOffset, as stored
}

// Elements is the number of values in the tensor (the product of Dims).
// For a TensorInfo from a parsed file it is known not to overflow.
func (t *TensorInfo) Elements() uint64 {
	n := uint64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// Bytes is the size of the tensor's data, from its type and shape. It is 0 when
// the type is unknown or the shape invalid; TensorInfos from a parsed file have
// been checked not to be.
func (t *TensorInfo) Bytes() uint64 {
	n, err := tensorBytes(t.Type, t.Dims)
	if err != nil {
		return 0
	}
	return n
}

// tensorBytes validates a tensor's type and shape and returns its data size. The
// element count and byte size must fit in int64 (ggml's limit), the type must be
// known, no dimension may be zero and a row must be a whole number of blocks.
func tensorBytes(typ quant.Type, dims []uint64) (uint64, error) {
	if !typ.Known() {
		return 0, fmt.Errorf("unknown tensor type %d", uint32(typ))
	}
	if len(dims) > MaxDims {
		return 0, fmt.Errorf("%d dims, at most %d allowed", len(dims), MaxDims)
	}
	elems := uint64(1)
	for i, d := range dims {
		if d == 0 {
			return 0, fmt.Errorf("dims[%d] is zero", i)
		}
		hi, lo := bits.Mul64(elems, d)
		if hi != 0 || lo > math.MaxInt64 {
			return 0, fmt.Errorf("dims[%d] = %d overflows the element count", i, d)
		}
		elems = lo
	}
	row := uint64(1)
	if len(dims) > 0 {
		row = dims[0]
	}
	block := uint64(typ.BlockSize())
	if row%block != 0 {
		return 0, fmt.Errorf("row length dims[0] = %d is not a multiple of the %s block size %d", row, typ, block)
	}
	hi, size := bits.Mul64(elems/block, uint64(typ.BlockBytes()))
	if hi != 0 || size > math.MaxInt64 {
		return 0, fmt.Errorf("data size of %d %s values overflows", elems, typ)
	}
	return size, nil
}
