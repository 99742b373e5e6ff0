package metrics

import (
	"math"
	"testing"
)

// near fails the test when got differs from want by more than 1e-9.
func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %.12f, want %.12f", what, got, want)
	}
}

func nearPRF(t *testing.T, what string, got PRF, p, r float64) {
	t.Helper()
	near(t, what+".P", got.P, p)
	near(t, what+".R", got.R, r)
	want := 0.0
	if p+r > 0 {
		want = 2 * p * r / (p + r)
	}
	near(t, what+".F", got.F, want)
}
