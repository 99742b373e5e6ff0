package bench

import "testing"

// TestPeakMedian: the median of the probes a prober made, odd and even
// counts, and none.
func TestPeakMedian(t *testing.T) {
	pr := &prober{}
	if m, n := pr.peakMedian(); m != 0 || n != 0 {
		t.Errorf("no probes: %v of %d", m, n)
	}
	pr.peaks = []float64{78, 40, 41, 77, 39}
	if m, n := pr.peakMedian(); m != 41 || n != 5 {
		t.Errorf("odd: %v of %d, want 41 of 5", m, n)
	}
	pr.peaks = append(pr.peaks, 80)
	if m, n := pr.peakMedian(); m != 59 || n != 6 {
		t.Errorf("even: %v of %d, want 59 of 6", m, n)
	}
	if pr.peaks[0] != 78 {
		t.Error("peakMedian reordered the probes")
	}
}
