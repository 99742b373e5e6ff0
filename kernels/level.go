package kernels

import (
	"fmt"
	"os"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Level is an instruction-set level the kernels are written for.
type Level int

const (
	Generic Level = iota // pure Go, no assembly
	AVX2                 // amd64 with AVX2 and FMA
	AVX512               // amd64 with AVX-512 F/BW/VL (VNNI used where present)
	NEON                 // arm64 Advanced SIMD (dot-product instructions where present)
)

var levelNames = [...]string{"generic", "avx2", "avx512", "neon"}

func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// ParseLevel reads a level name as MILP_KERNELS spells it.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if strings.EqualFold(s, n) {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("unknown kernel level %q (want one of %s)", s, strings.Join(levelNames[:], ", "))
}

// cpuLevels lists the levels this CPU can run, best last. noasm builds and
// other architectures have only Generic.
func cpuLevels() []Level {
	levels := []Level{Generic}
	if !asmAvailable {
		return levels
	}
	switch {
	case cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.F16C) && hasLevel(AVX2):
		levels = append(levels, AVX2)
		if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL) && hasLevel(AVX512) {
			levels = append(levels, AVX512)
		}
	case cpuid.CPU.Supports(cpuid.ASIMD) && hasLevel(NEON):
		levels = append(levels, NEON)
	}
	return levels
}

// AvailableLevels are the levels this CPU and build can run, best last.
func AvailableLevels() []Level { return cpuLevels() }

var current Level

// CurrentLevel is the level in use.
func CurrentLevel() Level { return current }

// SetLevel switches every kernel to level l, which must be available. Tests
// and benchmarks use it to compare levels in one process; it must not be
// called while kernels run.
func SetLevel(l Level) error {
	for _, a := range cpuLevels() {
		if a == l {
			current = l
			install(l)
			return nil
		}
	}
	return fmt.Errorf("kernel level %s is not available on this CPU/build (available: %v)", l, cpuLevels())
}

// The best level is chosen once at start-up; MILP_KERNELS=generic|avx2|
// avx512|neon forces a lower one (a level the CPU lacks is refused loudly
// rather than crashing on an illegal instruction later).
func init() {
	levels := cpuLevels()
	best := levels[len(levels)-1]
	if env := os.Getenv("MILP_KERNELS"); env != "" {
		l, err := ParseLevel(env)
		if err == nil {
			err = SetLevel(l)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "milp-lite: MILP_KERNELS: %v\n", err)
			os.Exit(1)
		}
		return
	}
	current = best
	install(best)
}

// CPUFeatures names the SIMD features the kernels care about that this CPU has.
func CPUFeatures() []string {
	var out []string
	for _, f := range []cpuid.FeatureID{cpuid.AVX2, cpuid.FMA3, cpuid.F16C, cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512VNNI, cpuid.AVX512BF16, cpuid.AVXVNNI, cpuid.ASIMD, cpuid.ASIMDDP, cpuid.ASIMDHP} {
		if cpuid.CPU.Supports(f) {
			out = append(out, f.String())
		}
	}
	return out
}

// CPUBrand is the processor's name, for reports.
func CPUBrand() string { return cpuid.CPU.BrandName }
