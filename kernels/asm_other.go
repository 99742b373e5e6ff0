//go:build noasm || !(amd64 || arm64)

package kernels

// No assembly kernels in this build: every CPU runs the generic level.
// (The arm64 port narrows this tag to noasm || !(amd64 || arm64).)
const asmAvailable = false

func hasLevel(Level) bool { return false }

func installArch(Level, *kernelSet) {}
