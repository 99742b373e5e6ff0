//go:build !race

package bo

// raceEnabled: the race detector slows code 5–20×, so timing tests skip.
const raceEnabled = false
