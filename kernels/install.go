package kernels

// install points the package's kernels at the implementations of level l:
// the generic table, with the fields the architecture has assembly for
// replaced by installArch (asm_amd64.go, asm_arm64.go, asm_other.go).
func install(l Level) {
	s := genericKernels()
	installArch(l, &s)
	impl = s
}
