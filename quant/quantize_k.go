package quant

import "math"

// The K-quant quantisers here are simpler than ggml's: ggml searches for the
// scale and min of each sub-block that minimise a weighted squared error
// (make_qkx2_quants, make_qx_quants). These instead pick the smallest stored
// scales whose range covers every value of the sub-block: scales and mins are
// rounded UP to their 6- or 8-bit codes and the f16 super-block scales are
// rounded up too. That guarantees, for every value x, |x - dequant(x)| <= step/2
// (step = the sub-block's d*scale) up to float32 rounding, which is what the
// benchmark models written with them need. The one exception is a Q4_K/Q5_K
// sub-block whose values are all equal and negative, where the step is 0 and
// the error is below dmin. Inputs beyond what f16 scales can hold (around
// |x| > 6e7) or NaNs give meaningless blocks, never a panic.

// roundUpF16 returns the bits of the smallest half >= v, for v >= 0.
func roundUpF16(v float32) uint16 {
	h := F32ToF16(v)
	if F16ToF32(h) < v {
		h++
	}
	return h
}

// ceilCode is the smallest code c in [0, maxCode] with c*unit >= v (clamped).
func ceilCode(v, unit float32, maxCode int) int {
	if unit <= 0 || !(v > 0) {
		return 0
	}
	return min(maxCode, int(math.Ceil(float64(v/unit))))
}

// nearestLevel rounds v to the nearest integer (ties to even, like ggml's
// nearest_int) and clamps it to [lo, hi]; NaN gives lo.
func nearestLevel(v float32, lo, hi int) int {
	r := math.RoundToEven(float64(v))
	if !(r >= float64(lo)) {
		return lo
	}
	return min(hi, int(r))
}

func maxOf(x []float32) float32 {
	var m float32
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

// quantKAsym chooses the scales of a Q4_K/Q5_K super-block (nmax = 15 or 31)
// and the level of every value, so that value = d*sc*q - dmin*m.
func quantKAsym(x *[QKK]float32, nmax int) (d, dmin uint16, scales [12]byte, levels [QKK]uint8) {
	var offsets, tops [8]float32 // per sub-block: -min(0, smallest value), largest value
	for j := range 8 {
		lo, hi := minMax(x[32*j : 32*j+32])
		offsets[j], tops[j] = -min(lo, 0), hi
	}
	dmin = roundUpF16(maxOf(offsets[:]) / 63)
	dminF := F16ToF32(dmin)
	var sc, mn [8]uint8
	var spans [8]float32 // the range above -offset that the levels must reach
	for j := range 8 {
		mn[j] = uint8(ceilCode(offsets[j], dminF, 63))
		spans[j] = tops[j] + dminF*float32(mn[j])
	}
	d = roundUpF16(maxOf(spans[:]) / float32(63*nmax))
	dF := F16ToF32(d)
	for j := range 8 {
		sc[j] = uint8(ceilCode(spans[j], dF*float32(nmax), 63))
	}
	scales = packScaleMinK4(&sc, &mn)
	for j := range 8 {
		step, off := dF*float32(sc[j]), dminF*float32(mn[j])
		if step == 0 {
			continue // levels stay 0: every value decodes to -off
		}
		for i := 32 * j; i < 32*j+32; i++ {
			levels[i] = uint8(nearestLevel((x[i]+off)/step, 0, nmax))
		}
	}
	return d, dmin, scales, levels
}

// QuantBlockQ4_K quantises 256 values to one Q4_K block (see the range-covering
// method described above).
func QuantBlockQ4_K(dst *[BlockBytesQ4_K]byte, x *[QKK]float32) {
	d, dmin, scales, L := quantKAsym(x, 15)
	putF16(dst[0:], d)
	putF16(dst[2:], dmin)
	copy(dst[4:16], scales[:])
	for g := range 4 {
		for l := range 32 {
			dst[16+32*g+l] = L[64*g+l] | L[64*g+32+l]<<4
		}
	}
}

// QuantBlockQ5_K quantises 256 values to one Q5_K block (see the range-covering
// method described above).
func QuantBlockQ5_K(dst *[BlockBytesQ5_K]byte, x *[QKK]float32) {
	d, dmin, scales, L := quantKAsym(x, 31)
	putF16(dst[0:], d)
	putF16(dst[2:], dmin)
	copy(dst[4:16], scales[:])
	qh := dst[16:48]
	clear(qh)
	for g := range 4 {
		for l := range 32 {
			lo, hi := L[64*g+l], L[64*g+32+l]
			dst[48+32*g+l] = lo&0x0f | hi&0x0f<<4
			qh[l] |= lo>>4<<(2*g) | hi>>4<<(2*g+1)
		}
	}
}

// QuantBlockQ6_K quantises 256 values to one Q6_K block: each 16-value
// sub-block gets the smallest positive 8-bit scale whose levels -32..31 cover
// its values (see the range-covering method described above).
func QuantBlockQ6_K(dst *[BlockBytesQ6_K]byte, x *[QKK]float32) {
	var need [16]float32 // the smallest step that covers each sub-block
	for k := range 16 {
		lo, hi := minMax(x[16*k : 16*k+16])
		need[k] = max(-lo/32, hi/31, 0)
	}
	d := roundUpF16(maxOf(need[:]) / 127)
	dF := F16ToF32(d)
	var L [QKK]uint8
	for k := range 16 {
		sc := ceilCode(need[k], dF, 127)
		dst[192+k] = byte(sc)
		step := dF * float32(sc)
		for i := 16 * k; i < 16*k+16; i++ {
			q := 0
			if step != 0 {
				q = nearestLevel(x[i]/step, -32, 31)
			}
			L[i] = uint8(q + 32)
		}
	}
	for h := range 2 {
		ql, qh, q := dst[64*h:64*h+64], dst[128+32*h:128+32*h+32], L[128*h:128*h+128]
		for l := range 32 {
			ql[l] = q[l]&0x0f | q[l+64]&0x0f<<4
			ql[l+32] = q[l+32]&0x0f | q[l+96]&0x0f<<4
			qh[l] = q[l]>>4 | q[l+32]>>4<<2 | q[l+64]>>4<<4 | q[l+96]>>4<<6
		}
	}
	putF16(dst[208:], d)
}
