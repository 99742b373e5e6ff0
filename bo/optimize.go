package bo

import (
	"errors"
	"math"
)

// objective evaluates f(x) and writes ∇f(x) into grad. An error (for example
// a covariance that cannot be factorised) makes the point infeasible.
type objective func(x, grad []float64) (float64, error)

// minimizeOptions tunes minimizeBox.
type minimizeOptions struct {
	maxIter int     // iterations (gradient evaluations are ≤ ~2× this)
	gradTol float64 // stop when the projected gradient's max-norm is below this
	memory  int     // L-BFGS pairs kept
}

// errNoStart is returned when the objective fails at the starting point.
var errNoStart = errors.New("bo: objective is not finite at the starting point")

// minimizeBox minimises f over the box [lo, hi] by projected L-BFGS: the
// quasi-Newton direction is computed on the free variables (those not pinned at
// a bound by the gradient), and a backtracking Armijo search runs along the
// projected path. It is a compact cousin of L-BFGS-B, adequate for the smooth,
// low-dimensional problems here (GP hyper-parameters and acquisition
// functions). It returns the best point found and its value.
func minimizeBox(f objective, x0, lo, hi []float64, opt minimizeOptions) ([]float64, float64, error) {
	n := len(x0)
	opt.maxIter = orDefault(opt.maxIter, 100)
	opt.memory = orDefault(opt.memory, 8)
	opt.gradTol = orDefault(opt.gradTol, 1e-6)
	x := make([]float64, n)
	for i := range x {
		x[i] = clamp(x0[i], lo[i], hi[i])
	}
	g := make([]float64, n)
	fx, err := f(x, g)
	if err != nil || math.IsNaN(fx) || math.IsInf(fx, 0) {
		return nil, 0, errNoStart
	}
	var sHist, yHist [][]float64
	var rhoHist []float64
	d := make([]float64, n)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	free := make([]bool, n)
	alphaBuf := make([]float64, opt.memory)
	stall := 0
	for iter := 0; iter < opt.maxIter; iter++ {
		pgMax := 0.0
		for i := range x {
			atLo := x[i] <= lo[i] && g[i] > 0
			atHi := x[i] >= hi[i] && g[i] < 0
			free[i] = !atLo && !atHi
			if free[i] {
				pgMax = math.Max(pgMax, math.Abs(g[i]))
			}
		}
		if pgMax < opt.gradTol {
			break
		}
		// Two-loop recursion on the masked gradient.
		for i := range d {
			if free[i] {
				d[i] = -g[i]
			} else {
				d[i] = 0
			}
		}
		m := len(sHist)
		for k := m - 1; k >= 0; k-- {
			a := rhoHist[k] * dot(sHist[k], d)
			alphaBuf[k] = a
			axpy(-a, yHist[k], d)
		}
		if m > 0 {
			gamma := dot(sHist[m-1], yHist[m-1]) / dot(yHist[m-1], yHist[m-1])
			for i := range d {
				d[i] *= gamma
			}
		}
		for k := 0; k < m; k++ {
			b := rhoHist[k] * dot(yHist[k], d)
			axpy(alphaBuf[k]-b, sHist[k], d)
		}
		for i := range d {
			if !free[i] {
				d[i] = 0
			}
		}
		slope := dot(d, g)
		if !(slope < 0) { // not a descent direction: restart with steepest descent
			sHist, yHist, rhoHist = sHist[:0], yHist[:0], rhoHist[:0]
			for i := range d {
				if free[i] {
					d[i] = -g[i]
				} else {
					d[i] = 0
				}
			}
		}
		step := 1.0
		if len(sHist) == 0 {
			// First step or restart: move at most ~0.1 per coordinate.
			step = math.Min(1, 0.1/maxAbs(d))
		}
		accepted := false
		var fNew float64
		for ls := 0; ls < 30; ls++ {
			for i := range x {
				xNew[i] = clamp(x[i]+step*d[i], lo[i], hi[i])
			}
			decrease := 0.0
			for i := range x {
				decrease += g[i] * (xNew[i] - x[i])
			}
			fv, err := f(xNew, gNew)
			if err == nil && !math.IsNaN(fv) && fv <= fx+1e-4*decrease && decrease < 0 {
				fNew = fv
				accepted = true
				break
			}
			if err == nil && decrease == 0 {
				break
			}
			step *= 0.5
		}
		if !accepted {
			if len(sHist) == 0 {
				break // even steepest descent made no progress
			}
			sHist, yHist, rhoHist = sHist[:0], yHist[:0], rhoHist[:0]
			continue
		}
		s := make([]float64, n)
		y := make([]float64, n)
		for i := range x {
			s[i] = xNew[i] - x[i]
			y[i] = gNew[i] - g[i]
		}
		if sy := dot(s, y); sy > 1e-12*math.Sqrt(dot(s, s)*dot(y, y)) && sy > 0 {
			if len(sHist) == opt.memory {
				sHist, yHist, rhoHist = sHist[1:], yHist[1:], rhoHist[1:]
			}
			sHist = append(sHist, s)
			yHist = append(yHist, y)
			rhoHist = append(rhoHist, 1/sy)
		}
		if fx-fNew <= 1e-12*math.Max(1, math.Abs(fx)) {
			stall++
		} else {
			stall = 0
		}
		copy(x, xNew)
		copy(g, gNew)
		fx = fNew
		if stall >= 3 {
			break
		}
	}
	return x, fx, nil
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	if m == 0 {
		return 1
	}
	return m
}
