package tensor

import "math"

// Exp is a float32 exponential for the training hot loops (softmax of
// attention rows, cross-entropy, SiLU), several times cheaper than
// float32(math.Exp(float64(x))).
//
// It writes x = (16k+j)·ln2/16 + r with 0 ≤ j < 16 and |r| ≤ ln2/32 (the
// product by ln2/16 split in two parts so that it is exact for every k that
// occurs), and returns 2ᵏ · 2^(j/16) · e^r: 2ᵏ through the exponent bits,
// 2^(j/16) from a table, e^r by its cubic Taylor polynomial (truncation
// ≤ (ln2/32)⁴/4! ≈ 9e-9 relative). The maximum relative error against
// math.Exp is below 2e-7 (TestExpAccuracy measures it over a dense grid of
// the normal range); results below 2⁻¹²⁶ (x < −87.3) are flushed to 0,
// x > 88.7 gives +Inf (the true value overflows from 88.7228), as do Inf inputs; NaN gives NaN.
func Exp(x float32) float32 {
	switch {
	case x > expMaxArg:
		return float32(math.Inf(1))
	case x < expMinArg:
		return 0
	case x != x:
		return x
	}
	return expCore(x)
}

const (
	expMaxArg = 88.7      // k ≤ 2047: the power of two stays ≤ 2¹²⁷ (float32 overflows at 88.7228)
	expMinArg = -87.33654 // ln(2⁻¹²⁶)
	// Adding 1.5·2²³ rounds to an integer in float32 arithmetic (to
	// nearest), cheaper than math.Floor; |x·16/ln2| < 2²² here.
	expRoundMagic = 12582912
	expInvStep    = 23.083119826071005    // 16/ln2
	expStepHi     = 0.0433197021484375    // ln2/16 to 13 significant bits: k·expStepHi is exact for |k| < 2¹¹
	expStepLo     = 1.996636559080389e-06 // ln2/16 − expStepHi
)

// expTable holds 2^(j/16), j < 16, rounded to float32.
var expTable = func() (t [16]float32) {
	for j := range t {
		t[j] = float32(math.Exp2(float64(j) / 16))
	}
	return
}()

// expCore is Exp for x in [expMinArg, expMaxArg], small enough to inline
// into the loops below.
func expCore(x float32) float32 {
	kf := (x*expInvStep + expRoundMagic) - expRoundMagic
	r := x - kf*expStepHi - kf*expStepLo
	k := int32(kf)
	// k>>4 rounds toward −∞, so k = 16·(k>>4) + (k&15) for negative k too;
	// −126 ≤ k>>4 ≤ 127 in the argument range, a normal power of two.
	s := math.Float32frombits(uint32((k>>4)+127) << 23)
	return s * expTable[k&15] * (1 + r*(1+r*(0.5+r*(1.0/6))))
}
