// The four-position reduction of the AVX-512 scores kernels
// (attention_one_amd64.s, attention_group_amd64.s).

// REDUCE4Z is ATTNSCORES4's reduction on AVX-512 (the scale broadcast in
// Z14, K1 = 0x1111 selecting lanes 0, 4, 8 and 12).
#define REDUCE4Z \
	VSHUFF64X2 $0x44, Z2, Z0, Z8; \
	VSHUFF64X2 $0xEE, Z2, Z0, Z9; \
	VADDPS Z9, Z8, Z8; \
	VSHUFF64X2 $0x44, Z6, Z4, Z9; \
	VSHUFF64X2 $0xEE, Z6, Z4, Z11; \
	VADDPS Z11, Z9, Z9; \
	VSHUFF64X2 $0x88, Z9, Z8, Z11; \
	VSHUFF64X2 $0xDD, Z9, Z8, Z12; \
	VADDPS Z12, Z11, Z11; \
	VSHUFPS $0x88, Z11, Z11, Z12; \
	VSHUFPS $0xDD, Z11, Z11, Z13; \
	VADDPS Z13, Z12, Z12; \
	VSHUFPS $0x01, Z12, Z12, Z13; \
	VADDPS Z13, Z12, Z12; \
	VMULPS Z14, Z12, Z12; \
	VCOMPRESSPS Z12, K1, (DX)

// ATTNSCORES4ZSETUP broadcasts the scale and sets REDUCE4Z's mask.
#define ATTNSCORES4ZSETUP \
	VBROADCASTSS X15, Z14; \
	MOVL $0x1111, R14; \
	KMOVW R14, K1
