package quant

import (
	"math"
	"testing"
)

// Each test here builds one block byte by byte and checks every output against
// values worked out by hand in the comments. Half scales used: 0x3C00 = 1.0,
// 0x3800 = 0.5, 0x3400 = 0.25, 0x3000 = 0.125, 0x4000 = 2.0, 0xBC00 = -1.0.

// expectBlock lists the expected outputs: every index not in special is def.
func expectBlock(n int, def float32, special map[int]float32) []float32 {
	want := make([]float32, n)
	for i := range want {
		want[i] = def
	}
	for i, v := range special {
		want[i] = v
	}
	return want
}

// expectRuns builds expected outputs from ranges [from, to) sharing a value;
// later runs override earlier ones. Indices in no run are 0.
func expectRuns(n int, runs ...run) []float32 {
	want := make([]float32, n)
	for _, r := range runs {
		for i := r.from; i < r.to; i++ {
			want[i] = r.v
		}
	}
	return want
}

type run struct {
	from, to int
	v        float32
}

func checkDequant(t *testing.T, typ Type, block []byte, want []float32) {
	t.Helper()
	if len(block) != typ.BlockBytes() {
		t.Fatalf("%s test block has %d bytes, want %d", typ, len(block), typ.BlockBytes())
	}
	got := make([]float32, len(want))
	if err := Dequantize(typ, block, got); err != nil {
		t.Fatalf("Dequantize(%s): %v", typ, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s element %d = %g, want %g", typ, i, got[i], want[i])
		}
	}
}

func TestDequantizePlainHand(t *testing.T) {
	// F16: 0x3C00 = 1, 0xC000 = -2, 0x0001 = 2^-24, 0x7C00 = +Inf.
	checkDequant(t, F16, []byte{0x00, 0x3c}, []float32{1})
	f16 := []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c}
	got := make([]float32, 4)
	if err := Dequantize(F16, f16, got); err != nil {
		t.Fatal(err)
	}
	if want := []float32{1, -2, 0x1p-24, float32(math.Inf(1))}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("F16 = %v, want %v", got, want)
	}
	// BF16: 0x3F80 = 1, 0x4049 = 0x40490000 as f32 = 3.140625.
	bf := make([]float32, 2)
	if err := Dequantize(BF16, []byte{0x80, 0x3f, 0x49, 0x40}, bf); err != nil || bf[0] != 1 || bf[1] != 3.140625 {
		t.Errorf("BF16 = %v, %v; want [1 3.140625]", bf, err)
	}
	// F32: 0x3FC00000 = 1.5, 0xC1200000 = -10.
	f := make([]float32, 2)
	if err := Dequantize(F32, []byte{0, 0, 0xc0, 0x3f, 0, 0, 0x20, 0xc1}, f); err != nil || f[0] != 1.5 || f[1] != -10 {
		t.Errorf("F32 = %v, %v; want [1.5 -10]", f, err)
	}
}

func TestDequantizeQ4_0Hand(t *testing.T) {
	b := make([]byte, 18)
	b[0], b[1] = 0x00, 0x38 // d = 0.5
	for j := 2; j < 18; j++ {
		b[j] = 0x88 // both nibbles 8: value 0
	}
	b[2] = 0x9f  // elem 0: (15-8)*0.5 = 3.5;  elem 16: (9-8)*0.5 = 0.5
	b[3] = 0x08  // elem 1: (8-8)*0.5 = 0;     elem 17: (0-8)*0.5 = -4
	b[17] = 0x1c // elem 15: (12-8)*0.5 = 2;  elem 31: (1-8)*0.5 = -3.5
	checkDequant(t, Q4_0, b, expectBlock(32, 0, map[int]float32{0: 3.5, 16: 0.5, 1: 0, 17: -4, 15: 2, 31: -3.5}))
}

func TestDequantizeQ4_1Hand(t *testing.T) {
	b := make([]byte, 20)
	b[0], b[1] = 0x00, 0x34 // d = 0.25
	b[2], b[3] = 0x00, 0xbc // m = -1
	b[4] = 0xf0             // elem 0: 0*0.25-1 = -1;     elem 16: 15*0.25-1 = 2.75
	b[7] = 0x42             // elem 3: 2*0.25-1 = -0.5;   elem 19: 4*0.25-1 = 0
	// all other nibbles 0: -1
	checkDequant(t, Q4_1, b, expectBlock(32, -1, map[int]float32{16: 2.75, 3: -0.5, 19: 0}))
}

func TestDequantizeQ5_0Hand(t *testing.T) {
	b := make([]byte, 22)
	b[0], b[1] = 0x00, 0x40 // d = 2
	// qh = 0x80020001: fifth bit set for elements 0, 17 and 31.
	b[2], b[3], b[4], b[5] = 0x01, 0x00, 0x02, 0x80
	b[6] = 0x3f  // elem 0: (15|16)-16 = 15 -> 30;  elem 16: 3-16 = -13 -> -26
	b[7] = 0x00  // elem 1: 0-16 -> -32;            elem 17: (0|16)-16 = 0 -> 0
	b[21] = 0xf0 // elem 15: 0-16 -> -32;           elem 31: (15|16)-16 = 15 -> 30
	// every other element: q = 0 -> (0-16)*2 = -32
	checkDequant(t, Q5_0, b, expectBlock(32, -32, map[int]float32{0: 30, 16: -26, 17: 0, 31: 30}))
}

func TestDequantizeQ5_1Hand(t *testing.T) {
	b := make([]byte, 24)
	b[0], b[1] = 0x00, 0x38 // d = 0.5
	b[2], b[3] = 0x00, 0x3c // m = 1
	b[4] = 0x04             // qh bit 2: fifth bit of element 2
	b[8+2] = 0x51           // elem 2: (1|16)*0.5+1 = 9.5;  elem 18: 5*0.5+1 = 3.5
	b[8+15] = 0xe0          // elem 15: 0*0.5+1 = 1;        elem 31: 14*0.5+1 = 8
	checkDequant(t, Q5_1, b, expectBlock(32, 1, map[int]float32{2: 9.5, 18: 3.5, 31: 8}))
}

func TestDequantizeQ8_0Hand(t *testing.T) {
	b := make([]byte, 34)
	b[0], b[1] = 0x00, 0x30 // d = 0.125
	b[2] = 0x80             // -128 -> -16
	b[3] = 0x7f             // 127 -> 15.875
	b[4] = 0xff             // -1 -> -0.125
	b[5] = 0x03             // 3 -> 0.375
	b[33] = 0xf0            // -16 -> -2
	checkDequant(t, Q8_0, b, expectBlock(32, 0, map[int]float32{0: -16, 1: 15.875, 2: -0.125, 3: 0.375, 31: -2}))
}

func TestDequantizeQ8_KHand(t *testing.T) {
	b := make([]byte, 292)
	b[0], b[1], b[2], b[3] = 0x00, 0x00, 0xc0, 0x3f // d = float32 1.5
	b[4] = 0xfe                                     // elem 0: -2*1.5 = -3
	b[4+255] = 100                                  // elem 255: 150
	b[260] = 0xff                                   // bsums are ignored
	checkDequant(t, Q8_K, b, expectBlock(256, 0, map[int]float32{0: -3, 255: 150}))
}

func TestDequantizeQ2_KHand(t *testing.T) {
	b := make([]byte, 84)
	b[80], b[81] = 0x00, 0x3c // d = 1
	b[82], b[83] = 0x00, 0x38 // dmin = 0.5
	// scales[k]: low nibble scale, high nibble min, for 16-value sub-block k.
	b[0] = 0x23 // sub 0 (elems 0..15):    value = 1*3*q - 0.5*2 = 3q - 1
	b[1] = 0x10 // sub 1 (elems 16..31):   value = 0*q - 0.5 = -0.5
	b[2] = 0x05 // sub 2 (elems 32..47):   value = 5q
	b[9] = 0x31 // sub 9 (elems 144..159): value = q - 1.5
	qs := b[16:80]
	qs[0] = 0x0e  // bits 0-1 = 2 -> elem 0 = 5; bits 2-3 = 3 -> elem 32 = 15; bits 4-7 = 0 (subs 4, 6: 0)
	qs[1] = 0x01  // elem 1: q=1 -> 2
	qs[48] = 0x03 // second half, byte 16 of its 32, bits 0-1: elem 128+16 = 144, q=3 -> 1.5
	want := expectRuns(256,
		run{0, 16, -1}, run{0, 1, 5}, run{1, 2, 2},
		run{16, 32, -0.5},
		run{32, 48, 0}, run{32, 33, 15},
		run{144, 160, -1.5}, run{144, 145, 1.5})
	checkDequant(t, Q2_K, b, want)
}

func TestDequantizeQ3_KHand(t *testing.T) {
	b := make([]byte, 110)
	hmask, qs, scales := b[0:32], b[32:96], b[96:108]
	b[108], b[109] = 0x00, 0x38 // d = 0.5
	// 6-bit scale codes (scale = code-32): sub 0 -> 34 (+2), sub 5 -> 28 (-4),
	// sub 9 -> 63 (+31), all others 32 (0). Low nibbles: code 34 = 0b10_0010
	// puts 2 in byte 0's low nibble; 28 = 0b01_1100 puts 12 in byte 5's low
	// nibble; 63 = 0b11_1111 puts 15 in byte 1's HIGH nibble (k-8 = 1).
	// Top 2 bits: field k/4 of byte 8+k%4; code 32 has top bits 0b10, so 0xAA
	// everywhere except byte 9: field 1 (sub 5) = 01, field 2 (sub 9) = 11.
	copy(scales, []byte{0x02, 0xf0, 0, 0, 0, 0x0c, 0, 0, 0xaa, 0xb6, 0xaa, 0xaa})
	// Sub 0 (elems 0..15): qs[0..15] bits 0-1, hmask[0..15] bit 0, dl = 0.5*2 = 1.
	qs[0], hmask[0] = 0x03, 0x01 // q = 3 (high bit set: no -4) -> 3
	qs[1] = 0x01                 // q = 1-4 = -3 -> -3;  elems 2..15: q = -4 -> -4
	// Sub 5 (elems 80..95): qs[16..31] bits 4-5, hmask[16..31] bit 2, dl = 0.5*-4 = -2.
	qs[16], hmask[16] = 0x20, 0x04 // q = 2 -> -4;  elems 81..95: q = -4 -> 8
	// Sub 9 (elems 144..159): qs[48..63] bits 0-1, hmask[16..31] bit 4, dl = 0.5*31 = 15.5.
	qs[48] = 0x01
	hmask[16] |= 0x10 // q = 1 -> 15.5;  elems 145..159: q = -4 -> -62
	want := expectRuns(256,
		run{0, 16, -4}, run{0, 1, 3}, run{1, 2, -3},
		run{80, 96, 8}, run{80, 81, -4},
		run{144, 160, -62}, run{144, 145, 15.5})
	checkDequant(t, Q3_K, b, want)
	if got := UnpackScalesQ3K((*[12]byte)(scales)); got[0] != 2 || got[5] != -4 || got[9] != 31 || got[1] != 0 || got[15] != 0 {
		t.Errorf("UnpackScalesQ3K = %v, want 2 at 0, -4 at 5, 31 at 9, 0 elsewhere", got)
	}
}

func TestDequantizeQ4_KHand(t *testing.T) {
	b := make([]byte, 144)
	b[0], b[1] = 0x00, 0x3c // d = 1
	b[2], b[3] = 0x00, 0x38 // dmin = 0.5
	// Sub-block scale/min: 0 -> (1, 2), 1 -> (10, 0), 5 -> (45 = 0b10_1101, 63 = 0b11_1111).
	// Bytes 0..3: scale j | top 2 bits of scale j+4 << 6: byte 1 = 10 | 2<<6 = 0x8A.
	// Bytes 4..7: min j | top 2 bits of min j+4 << 6: byte 4 = 2, byte 5 = 0 | 3<<6 = 0xC0.
	// Bytes 8..11: low 4 bits of scale j+4 | low 4 bits of min j+4 << 4: byte 9 = 0xD | 0xF<<4.
	copy(b[4:16], []byte{0x01, 0x8a, 0, 0, 0x02, 0xc0, 0, 0, 0, 0xfd, 0, 0})
	qs := b[16:144]
	qs[0] = 0x37  // elem 0 (sub 0): 1*7 - 0.5*2 = 6;  elem 32 (sub 1): 10*3 - 0 = 30
	qs[1] = 0xf0  // elem 1: 0 - 1 = -1;              elem 33: 10*15 = 150
	qs[64] = 0xa0 // group 2: elem 128 (sub 4: 0) = 0; elem 160 (sub 5): 45*10 - 0.5*63 = 418.5
	want := expectRuns(256,
		run{0, 32, -1}, run{0, 1, 6},
		run{32, 33, 30}, run{33, 34, 150},
		run{160, 192, -31.5}, run{160, 161, 418.5})
	checkDequant(t, Q4_K, b, want)
	for j, w := range [][2]uint8{{1, 2}, {10, 0}, {0, 0}, {0, 0}, {0, 0}, {45, 63}, {0, 0}, {0, 0}} {
		if sc, m := UnpackScaleMinK4(j, (*[12]byte)(b[4:16])); sc != w[0] || m != w[1] {
			t.Errorf("UnpackScaleMinK4(%d) = %d, %d; want %d, %d", j, sc, m, w[0], w[1])
		}
	}
}

func TestDequantizeQ5_KHand(t *testing.T) {
	b := make([]byte, 176)
	b[0], b[1] = 0x00, 0x38 // d = 0.5
	b[2], b[3] = 0x00, 0x3c // dmin = 1
	// Sub 0 -> (scale 2, min 1); sub 7 -> (63 = 0b11_1111, 4 = 0b00_0100).
	// Sub 7's top scale bits go to byte 7-4 = 3 (3<<6 = 0xC0); its min's top bits
	// (0) to byte 7; byte 11 = low scale 0xF | low min 4<<4 = 0x4F.
	copy(b[4:16], []byte{0x02, 0, 0, 0xc0, 0x01, 0, 0, 0, 0, 0, 0, 0x4f})
	qh, qs := b[16:48], b[48:176]
	// Sub 0 (elems 0..31): low nibbles of qs[0..31], fifth bit = qh[l] bit 0;
	// step 0.5*2 = 1, offset 1*1 = 1.
	qs[0], qh[0] = 0x0f, 0x01 // q = 31 -> 30
	qs[1] = 0x03              // q = 3 -> 2;  the rest: q = 0 -> -1
	// Sub 7 (elems 224..255): high nibbles of qs[96..127], fifth bit = qh[l] bit 7;
	// step 0.5*63 = 31.5, offset 1*4 = 4.
	qs[96] = 0x10
	qh[0] |= 0x80 // elem 224: q = 17 -> 535.5 - 4 = 531.5
	qh[31] = 0x80 // elem 255: q = 16 -> 504 - 4 = 500;  the rest of sub 7: -4
	want := expectRuns(256,
		run{0, 32, -1}, run{0, 1, 30}, run{1, 2, 2},
		run{224, 256, -4}, run{224, 225, 531.5}, run{255, 256, 500})
	checkDequant(t, Q5_K, b, want)
}

func TestDequantizeQ6_KHand(t *testing.T) {
	b := make([]byte, 210)
	ql, qh, sc := b[0:128], b[128:192], b[192:208]
	b[208], b[209] = 0x00, 0x34         // d = 0.25
	sc[0], sc[3], sc[15] = 4, 0xfe, 127 // sub-block scales 4, -2, 127; others 0
	// Sub 0 (elems 0..15): low 4 bits from ql[l] low nibble, top 2 from qh[l] bits 0-1.
	ql[0], qh[0] = 0x0f, 0x03 // q = 63-32 = 31 -> 0.25*4*31 = 31; the rest q = -32 -> -32
	// Sub 3 (elems 48..63 = 32*1 + 16..31): ql[32+l] low nibble, qh[l] bits 2-3.
	ql[48], qh[16] = 0x05, 0x08 // q = (5|2<<4)-32 = 5 -> 0.25*-2*5 = -2.5; the rest -32 -> 16
	// Sub 15 (elems 240..255 = 128 + 32*3 + 16..31): ql[64+32+l] high nibble, qh[32+l] bits 6-7.
	ql[127], qh[63] = 0xa0, 0x40 // q = (10|1<<4)-32 = -6 -> 0.25*127*-6 = -190.5; the rest -1016
	want := expectRuns(256,
		run{0, 16, -32}, run{0, 1, 31},
		run{48, 64, 16}, run{48, 49, -2.5},
		run{240, 256, -1016}, run{255, 256, -190.5})
	checkDequant(t, Q6_K, b, want)
}
