// Shared by the interleaved kernels (interleaved_amd64.s,
// interleaved_avx2_amd64.s, interleaved_gemm_amd64.s).

// IL_ARGS loads the arguments (w, groups, nb, xq, xd, xc, out).
#define IL_ARGS \
	MOVQ w_base+0(FP), SI; \
	MOVQ groups+24(FP), R10; \
	MOVQ nb+32(FP), R11; \
	MOVQ xq_base+40(FP), R12; \
	MOVQ xd_base+64(FP), R13; \
	MOVQ xc_base+88(FP), R14; \
	MOVQ out_base+112(FP), R8

// K4_UNPACK_SCALES unpacks the sixteen rows' twelve scale bytes of the
// super-block at SI (three dword units from 64(SI)): in every byte of a
// lane, sub-block j < 4 has scale D0&63 and min D1&63, sub-block j+4 scale
// (D2&15)|(D0>>6)<<4 and min (D2>>4)|(D1>>6)<<4. Z19/Z20 get the four low
// scales/mins, Z21/Z23 the high ones. Masks: Z15 = 0x0f, Z14 = 0x3f,
// Z13 = 0x30 in every byte; clobbers Z16–Z18 and Z22.
#define K4_UNPACK_SCALES \
	VMOVDQU32 64(SI), Z16; \
	VMOVDQU32 128(SI), Z17; \
	VMOVDQU32 192(SI), Z18; \
	VPANDD Z14, Z16, Z19; \
	VPANDD Z14, Z17, Z20; \
	VPANDD Z15, Z18, Z21; \
	VPSRLD $2, Z16, Z22; \
	VPANDD Z13, Z22, Z22; \
	VPORD Z22, Z21, Z21; \
	VPSRLD $4, Z18, Z23; \
	VPANDD Z15, Z23, Z23; \
	VPSRLD $2, Z17, Z22; \
	VPANDD Z13, Z22, Z22; \
	VPORD Z22, Z23, Z23

// K4_AVX2_HIGHSC(H, SC, M, T0, T1): on AVX2, the high sub-blocks' scales
// (D2&15)|(D0>>6)<<4 into SC and mins (D2>>4)|(D1>>6)<<4 into M, for the
// eight rows of half H (0 or 32) of the super-block at SI; Y15 = 0x0f
// bytes, ·k4avx2+288 the 0x30 bytes; clobbers T0 and T1.
#define K4_AVX2_HIGHSC(H, SC, M, T0, T1) \
	VMOVDQU (192+H)(SI), T1; \
	VPAND Y15, T1, SC; \
	VMOVDQU (64+H)(SI), T0; \
	VPSRLD $2, T0, T0; \
	VPAND ·k4avx2+288(SB), T0, T0; \
	VPOR T0, SC, SC; \
	VPSRLD $4, T1, M; \
	VPAND Y15, M, M; \
	VMOVDQU (128+H)(SI), T0; \
	VPSRLD $2, T0, T0; \
	VPAND ·k4avx2+288(SB), T0, T0; \
	VPOR T0, M, M
