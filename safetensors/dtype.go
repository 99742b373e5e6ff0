package safetensors

import (
	"fmt"
	"math/bits"
	"strconv"

	"github.com/milp-lite/milp-lite/quant"
)

// DType is a tensor's element type as the header spells it ("F32", "BF16").
type DType string

// The element types of the format. Only the float ones convert to float32.
const (
	Bool   DType = "BOOL"
	U8     DType = "U8"
	I8     DType = "I8"
	F8E5M2 DType = "F8_E5M2"
	F8E4M3 DType = "F8_E4M3"
	I16    DType = "I16"
	U16    DType = "U16"
	F16    DType = "F16"
	BF16   DType = "BF16"
	I32    DType = "I32"
	U32    DType = "U32"
	F32    DType = "F32"
	F64    DType = "F64"
	I64    DType = "I64"
	U64    DType = "U64"
)

var dtypeSizes = map[DType]uint64{
	Bool: 1, U8: 1, I8: 1, F8E5M2: 1, F8E4M3: 1,
	I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4,
	F64: 8, I64: 8, U64: 8,
}

// Size is the bytes of one element, and whether the type is known.
func (d DType) Size() (uint64, bool) {
	n, ok := dtypeSizes[d]
	return n, ok
}

// byteSize is the bytes a tensor of dtype and shape holds, or an error when
// the dtype is unknown or the size overflows.
func byteSize(d DType, shape []uint64) (uint64, error) {
	total, ok := d.Size()
	if !ok {
		return 0, fmt.Errorf("unknown dtype %s", strconv.Quote(string(d)))
	}
	for _, n := range shape {
		hi, lo := bits.Mul64(total, n)
		if hi != 0 {
			return 0, fmt.Errorf("shape %v overflows", shape)
		}
		total = lo
	}
	return total, nil
}

// floatTypes are the dtypes Float32s converts, with the quant type of the
// same encoding.
var floatTypes = map[DType]quant.Type{F32: quant.F32, F16: quant.F16, BF16: quant.BF16}
