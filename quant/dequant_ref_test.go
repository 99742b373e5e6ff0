package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A slow, independent reference: every element is computed on its own, in
// float64, by reading its bits at the position the ggml-common.h layout gives
// for element i. The production code walks blocks in loops; this one uses
// index arithmetic and bit extraction, so a shared mistake is unlikely.

func bit(b []byte, pos int) int { return int(b[pos/8]>>(pos%8)) & 1 }

// bitsAt reads n bits starting at bit pos of the little-endian byte string b.
func bitsAt(b []byte, pos, n int) int {
	v := 0
	for k := range n {
		v |= bit(b, pos+k) << k
	}
	return v
}

func half(b []byte, off int) float64 { return refF16Value(uint16(bitsAt(b, 8*off, 16))) }

// refScaleMinK4 extracts 6-bit scale and min of sub-block j of a Q4_K/Q5_K
// scales field starting at byte off.
func refScaleMinK4(b []byte, off, j int) (sc, m int) {
	p := 8 * off
	if j < 4 {
		return bitsAt(b, p+8*j, 6), bitsAt(b, p+8*(j+4), 6)
	}
	sc = bitsAt(b, p+8*(j+4), 4) | bitsAt(b, p+8*(j-4)+6, 2)<<4
	m = bitsAt(b, p+8*(j+4)+4, 4) | bitsAt(b, p+8*j+6, 2)<<4
	return sc, m
}

// refElement returns element i of one block of type t, and the magnitude of
// the terms that produced it (for a rounding tolerance).
func refElement(t Type, b []byte, i int) (v, mag float64) {
	switch t {
	case Q4_0: // nibble: elements 0..15 low, 16..31 high of byte i%16
		q := bitsAt(b, 8*(2+i%16)+4*(i/16), 4)
		v = float64(q-8) * half(b, 0)
	case Q4_1:
		q := bitsAt(b, 8*(4+i%16)+4*(i/16), 4)
		v = float64(q)*half(b, 0) + half(b, 2)
		return v, math.Abs(float64(q)*half(b, 0)) + math.Abs(half(b, 2))
	case Q5_0:
		q := bitsAt(b, 8*(6+i%16)+4*(i/16), 4) | bit(b, 8*2+i)<<4
		v = float64(q-16) * half(b, 0)
	case Q5_1:
		q := bitsAt(b, 8*(8+i%16)+4*(i/16), 4) | bit(b, 8*4+i)<<4
		v = float64(q)*half(b, 0) + half(b, 2)
		return v, math.Abs(float64(q)*half(b, 0)) + math.Abs(half(b, 2))
	case Q8_0:
		v = float64(int8(b[2+i])) * half(b, 0)
	case Q8_K:
		v = float64(int8(b[4+i])) * float64(math.Float32frombits(uint32(bitsAt(b, 0, 32))))
	case Q2_K: // half h, bit pair s, byte l of the half's 32 bytes of qs
		h, s, l := i/128, i%128/32, i%32
		q := bitsAt(b, 8*(16+32*h+l)+2*s, 2)
		sc := b[i/16]
		a := half(b, 80) * float64(sc&0xf) * float64(q)
		m := half(b, 82) * float64(sc>>4)
		return a - m, math.Abs(a) + math.Abs(m)
	case Q3_K:
		h, s, l := i/128, i%128/32, i%32
		q := bitsAt(b, 8*(32+32*h+l)+2*s, 2)
		if bit(b, 8*l+4*h+s) == 0 { // hmask[l], bit 4h+s
			q -= 4
		}
		k := i / 16
		code := bitsAt(b, 8*(96+k%8)+4*(k/8), 4) | bitsAt(b, 8*(96+8+k%4)+2*(k/4), 2)<<4
		v = half(b, 108) * float64(code-32) * float64(q)
	case Q4_K: // group g of 64: byte 16+32g+l, low nibble for the first 32
		g, r := i/64, i%64
		q := bitsAt(b, 8*(16+32*g+r%32)+4*(r/32), 4)
		sc, m := refScaleMinK4(b, 4, i/32)
		a, c := half(b, 0)*float64(sc)*float64(q), half(b, 2)*float64(m)
		return a - c, math.Abs(a) + math.Abs(c)
	case Q5_K:
		g, r := i/64, i%64
		q := bitsAt(b, 8*(48+32*g+r%32)+4*(r/32), 4) | bit(b, 8*(16+r%32)+2*g+r/32)<<4
		sc, m := refScaleMinK4(b, 4, i/32)
		a, c := half(b, 0)*float64(sc)*float64(q), half(b, 2)*float64(m)
		return a - c, math.Abs(a) + math.Abs(c)
	case Q6_K: // half h, quarter k, lane l
		h, k, l := i/128, i%128/32, i%32
		low := bitsAt(b, 8*(64*h+32*(k%2)+l)+4*(k/2), 4)
		high := bitsAt(b, 8*(128+32*h+l)+2*k, 2)
		v = half(b, 208) * float64(int8(b[192+i/16])) * float64(low|high<<4-32)
	default:
		panic("no reference for " + t.String())
	}
	return v, math.Abs(v)
}

// randomBlock fills a block with random bytes, then overwrites its f16 scale
// fields with random finite values so outputs are comparable numbers.
func randomBlock(r *rand.Rand, t Type) []byte {
	b := make([]byte, t.BlockBytes())
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	var halves []int
	switch t {
	case Q4_0, Q5_0, Q8_0:
		halves = []int{0}
	case Q4_1, Q5_1, Q4_K, Q5_K:
		halves = []int{0, 2}
	case Q2_K:
		halves = []int{80, 82}
	case Q3_K:
		halves = []int{108}
	case Q6_K:
		halves = []int{208}
	case Q8_K:
		putF32 := math.Float32bits(float32(r.NormFloat64()))
		b[0], b[1], b[2], b[3] = byte(putF32), byte(putF32>>8), byte(putF32>>16), byte(putF32>>24)
	}
	for _, off := range halves {
		putF16(b[off:], F32ToF16(float32(r.NormFloat64()*0.01)))
	}
	return b
}

var quantFormats = []Type{Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K}

func TestDequantizeMatchesSlowReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, typ := range quantFormats {
		const blocks = 200
		var src []byte
		for range blocks {
			src = append(src, randomBlock(r, typ)...)
		}
		dst := make([]float32, blocks*typ.BlockSize())
		if err := Dequantize(typ, src, dst); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		for i, got := range dst {
			blk := i / typ.BlockSize()
			want, mag := refElement(typ, src[blk*typ.BlockBytes():(blk+1)*typ.BlockBytes()], i%typ.BlockSize())
			// float32 evaluation rounds at most 3 times: allow a few ulps of the terms.
			if diff := math.Abs(float64(got) - want); diff > 4*0x1p-24*mag {
				t.Fatalf("%s block %d element %d = %g, reference %g", typ, blk, i%typ.BlockSize(), got, want)
			}
		}
	}
}

func TestDequantizeBadInput(t *testing.T) {
	cases := []struct {
		typ    Type
		src, n int
		want   string
	}{
		{IQ2_XXS, 66, 256, "tensor type IQ2_XXS is not supported"},
		{Q8_1, 36, 32, "tensor type Q8_1 is not supported"},
		{Type(99), 0, 0, "tensor type type(99) is not supported"},
		{Q4_K, 143, 256, "dequantize Q4_K: 256 values take 144 bytes, got 143"},
		{Q4_K, 145, 256, "dequantize Q4_K: 256 values take 144 bytes, got 145"},
		{Q4_K, 144, 255, "dequantize: Q4_K: 255 values is not a whole number of 256-value blocks"},
		{Q8_0, 0, 16, "dequantize: Q8_0: 16 values is not a whole number of 32-value blocks"},
		{F16, 3, 2, "dequantize F16: 2 values take 4 bytes, got 3"},
		{F32, 4, 0, "dequantize F32: 0 values take 0 bytes, got 4"},
	}
	for _, c := range cases {
		err := Dequantize(c.typ, make([]byte, c.src), make([]float32, c.n))
		if err == nil || err.Error() != c.want {
			t.Errorf("Dequantize(%s, %d bytes, %d values) = %v, want %q", c.typ, c.src, c.n, err, c.want)
		}
	}
	// Empty input is valid: zero blocks.
	if err := Dequantize(Q6_K, nil, nil); err != nil {
		t.Errorf("Dequantize(Q6_K, nil, nil) = %v, want nil", err)
	}
}

func TestCanDequantize(t *testing.T) {
	for _, typ := range append([]Type{F32, F16, BF16}, quantFormats...) {
		if !CanDequantize(typ) {
			t.Errorf("CanDequantize(%s) = false", typ)
		}
	}
	for _, typ := range []Type{Q8_1, IQ2_XXS, IQ4_NL, TQ1_0, MXFP4, I8, F64, Type(99)} {
		if CanDequantize(typ) {
			t.Errorf("CanDequantize(%s) = true", typ)
		}
	}
}

// The exported block-size constants must agree with the layout table.
func TestBlockBytesConstants(t *testing.T) {
	for typ, n := range map[Type]int{
		Q4_0: BlockBytesQ4_0, Q4_1: BlockBytesQ4_1, Q5_0: BlockBytesQ5_0, Q5_1: BlockBytesQ5_1,
		Q8_0: BlockBytesQ8_0, Q2_K: BlockBytesQ2_K, Q3_K: BlockBytesQ3_K, Q4_K: BlockBytesQ4_K,
		Q5_K: BlockBytesQ5_K, Q6_K: BlockBytesQ6_K, Q8_K: BlockBytesQ8_K,
	} {
		if typ.BlockBytes() != n {
			t.Errorf("BlockBytes%s = %d, layout says %d", typ, n, typ.BlockBytes())
		}
	}
}

// FuzzDequantize checks that arbitrary bytes and lengths never panic.
func FuzzDequantize(f *testing.F) {
	f.Add(uint8(Q4_K), []byte{1, 2, 3}, 256)
	f.Add(uint8(Q6_K), make([]byte, 210), 256)
	f.Add(uint8(F16), []byte{0, 0x7c}, 1)
	f.Fuzz(func(t *testing.T, typ uint8, src []byte, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		err := Dequantize(Type(typ), src, make([]float32, n))
		want, rerr := Type(typ).RowBytes(n)
		if err == nil && (rerr != nil || want != len(src) || !CanDequantize(Type(typ))) {
			t.Fatalf("Dequantize(%d, %d bytes, %d) accepted bad input", typ, len(src), n)
		}
	})
}
