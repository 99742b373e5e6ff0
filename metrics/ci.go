package metrics

import "math"

// MeanCI returns the sample mean of xs and a two-sided 95% confidence interval
// for the population mean from Student's t distribution:
//
//	mean ± t_{0.975, n-1} · s / √n,   s² = Σ (x - mean)² / (n - 1)
//
// t is used for every n (it tends to the normal 1.96 as n grows), so small
// per-user samples get honest, wide intervals. With no data all three results
// are NaN; with one value the mean is returned and the interval is NaN (a
// spread cannot be estimated from one point).
func MeanCI(xs []float64) (mean, lo, hi float64) {
	n := len(xs)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	if n == 1 {
		return mean, math.NaN(), math.NaN()
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	half := tQuantile975(n-1) * sd / math.Sqrt(float64(n))
	return mean, mean - half, mean + half
}

// t975 holds the 0.975 quantile of Student's t for 1..30 degrees of freedom
// (standard tables, 9 significant digits).
var t975 = [...]float64{
	12.7062047, 4.30265273, 3.18244631, 2.77644511, 2.57058184,
	2.44691185, 2.36462425, 2.30600414, 2.26215716, 2.22813885,
	2.20098516, 2.17881283, 2.16036866, 2.14478669, 2.13144955,
	2.11990530, 2.10981558, 2.10092204, 2.09302405, 2.08596345,
	2.07961384, 2.07387307, 2.06865761, 2.06389856, 2.05953855,
	2.05552944, 2.05183052, 2.04840714, 2.04522964, 2.04227246,
}

// tQuantile975 is the 0.975 quantile of Student's t with df degrees of
// freedom: the table up to 30, then the Cornish-Fisher expansion around the
// normal quantile (Abramowitz & Stegun 26.7.5), whose error there is < 1e-5.
func tQuantile975(df int) float64 {
	if df <= len(t975) {
		return t975[df-1]
	}
	const z = 1.959963984540054
	v := float64(df)
	z3, z5, z7 := z*z*z, z*z*z*z*z, z*z*z*z*z*z*z
	return z + (z3+z)/(4*v) + (5*z5+16*z3+3*z)/(96*v*v) +
		(3*z7+19*z5+17*z3-15*z)/(384*v*v*v)
}
