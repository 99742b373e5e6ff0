package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func nearPRF(t *testing.T, what string, got PRF, p, r float64) {
	t.Helper()
	assert.InDelta(t, p, got.P, 1e-9, what+".P")
	assert.InDelta(t, r, got.R, 1e-9, what+".R")
	want := 0.0
	if p+r > 0 {
		want = 2 * p * r / (p + r)
	}
	assert.InDelta(t, want, got.F, 1e-9, what+".F")
}
