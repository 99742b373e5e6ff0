//go:build noasm || !(amd64 || arm64)

package kernels

// No assembly kernels in this build (noasm, or an architecture without
// them): every CPU runs the generic level.
const asmAvailable = false

func hasLevel(Level) bool { return false }

func installArch(Level, *kernelSet) {}
