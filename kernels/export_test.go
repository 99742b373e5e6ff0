package kernels

import (
	"time"
)

// SetSpinWait sets how long idle pool workers spin before parking and
// returns the previous value (for A/B benchmarks in kernels_test).
func SetSpinWait(d time.Duration) time.Duration {
	old := spinWait
	spinWait = d
	return old
}

// SetMatVecMinBytes sets matVecMinBytesPerWorker and returns the previous
// value (for A/B benchmarks in kernels_test).
func SetMatVecMinBytes(n int) int {
	old := matVecMinBytesPerWorker
	matVecMinBytesPerWorker = n
	return old
}

// SetIntegerBatches switches the integer path of batched quantised products
// on or off and returns the previous setting.
func SetIntegerBatches(on bool) bool {
	old := integerBatches
	integerBatches = on
	return old
}
