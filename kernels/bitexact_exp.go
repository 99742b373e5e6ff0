package kernels

import "math"

// Exp is a float32 exponential for the training hot loops (softmax of
// attention rows, SiLU), several times cheaper than
// float32(math.Exp(float64(x))), and bit-exact: every level's ExpScaled
// gives its bits exactly, so training gives the same numbers on every
// machine. (The kernel set's expShift is faster and only accurate.)
//
// It writes x = (16k+j)·ln2/16 + r with 0 ≤ j < 16 and |r| ≤ ln2/32 (the
// product by ln2/16 split in two parts so that it is exact for every k that
// occurs), and returns 2ᵏ · 2^(j/16) · e^r: 2ᵏ through the exponent bits,
// 2^(j/16) from a table, e^r by its cubic Taylor polynomial (truncation
// ≤ (ln2/32)⁴/4! ≈ 9e-9 relative). The maximum relative error against
// math.Exp is below 2e-7 (TestBitExactExpAccuracy measures it over a dense
// grid of the normal range); results below 2⁻¹²⁶ (x < −87.3) are flushed
// to 0, x > 88.7 gives +Inf (the true value overflows from 88.7228), as do
// Inf inputs; NaN gives NaN.
func Exp(x float32) float32 {
	switch {
	case x > ExpMaxArg:
		return float32(math.Inf(1))
	case x < ExpMinArg:
		return 0
	case x != x:
		return x
	}
	return ExpCore(x)
}

const (
	// ExpMaxArg and ExpMinArg bound ExpCore's argument: k ≤ 2047 keeps the
	// power of two ≤ 2¹²⁷ (float32 overflows at 88.7228), and ln(2⁻¹²⁶)
	// is where results stop being normal.
	ExpMaxArg = 88.7
	ExpMinArg = -87.33654
	// Adding 1.5·2²³ rounds to an integer in float32 arithmetic (to
	// nearest), cheaper than math.Floor; |x·16/ln2| < 2²² here.
	expRoundMagic = 12582912
	expInvStep    = 23.083119826071005    // 16/ln2
	expStepHi     = 0.0433197021484375    // ln2/16 to 13 significant bits: k·expStepHi is exact for |k| < 2¹¹
	expStepLo     = 1.996636559080389e-06 // ln2/16 − expStepHi
	expC3         = float32(1.0 / 6)
)

// expTable holds 2^(j/16), j < 16, rounded to float32.
var expTable = func() (t [16]float32) {
	for j := range t {
		t[j] = float32(math.Exp2(float64(j) / 16))
	}
	return
}()

// expConsts are ExpCore's constants, then what Exp's guards need and the
// integer 127 (as float32 bits), in the order the assembly reads them
// (EXPCORECONSTS, and the rows of expRows8).
var expConsts = [12]float32{expInvStep, expRoundMagic, expStepHi, expStepLo, expC3, 0.5, 1, ExpMaxArg,
	float32(math.Inf(1)), float32(math.Copysign(0, -1)), ExpMinArg, math.Float32frombits(127)}

// ExpCore is Exp for x in [ExpMinArg, ExpMaxArg], small enough to inline
// into loops. Every product is converted to float32 explicitly: Go may fuse
// x*y + z into one rounding (it does on arm64, and on amd64 from GOAMD64=v3),
// and the assembly twins round each operation.
func ExpCore(x float32) float32 {
	kf := (float32(x*expInvStep) + expRoundMagic) - expRoundMagic
	r := (x - float32(kf*expStepHi)) - float32(kf*expStepLo)
	k := int32(kf)
	// k>>4 rounds toward −∞, so k = 16·(k>>4) + (k&15) for negative k too;
	// −126 ≤ k>>4 ≤ 127 in the argument range, a normal power of two.
	s := math.Float32frombits(uint32((k>>4)+127) << 23)
	p := float32(r*expC3) + 0.5
	p = float32(r*p) + 1
	p = float32(r*p) + 1
	return float32(s*expTable[k&15]) * p
}

// ExpScaled replaces x[i] by Exp(x[i]·scale − shift), or by 0 where that
// argument is below cut (≥ ExpMinArg) or NaN, and returns the sum of the
// results taken in order. shift ≥ max(x)·scale up to rounding, so nothing
// overflows (an argument above ExpMaxArg is taken as ExpMaxArg). The
// softmax of a training attention row: every level gives the same bits.
func ExpScaled(x []float32, scale, shift, cut float32) float32 {
	return impl.expScaled(x, scale, shift, cut)
}

// expScaledGeneric is ExpScaled in Go.
func expScaledGeneric(x []float32, scale, shift, cut float32) float32 {
	return expScaledFrom(x, scale, shift, cut, 0)
}

// expScaledFrom is expScaledGeneric adding to sum: the tail after an
// assembly kernel's whole vectors.
func expScaledFrom(x []float32, scale, shift, cut, sum float32) float32 {
	for i, v := range x {
		y := float32(v*scale) - shift
		var e float32
		if y >= cut {
			if y > ExpMaxArg { // only by rounding: the min builtin is slow
				y = ExpMaxArg
			}
			e = ExpCore(y)
		}
		x[i] = e
		sum += e
	}
	return sum
}
