package kernels

// install points the package's kernels at the implementations of level l.
// Only the generic kernels exist so far; the SIMD levels add theirs here.
func install(l Level) {}
