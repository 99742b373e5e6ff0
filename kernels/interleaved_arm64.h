// Shared by the interleaved kernels on NEON (interleaved_arm64.s,
// interleaved_gemm_arm64.s).

// IL_ARGS loads the arguments (w, groups, nb, xq, xd, xc, out).
#define IL_ARGS \
	MOVD	w_base+0(FP), R0; \
	MOVD	groups+24(FP), R1; \
	MOVD	nb+32(FP), R2; \
	MOVD	xq_base+40(FP), R3; \
	MOVD	xd_base+64(FP), R4; \
	MOVD	xc_base+88(FP), R5; \
	MOVD	out_base+112(FP), R6
