package bo

// orDefault returns v, or def when v is not positive: the options of this
// package take their defaults from their zero values.
func orDefault[T int | float64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
