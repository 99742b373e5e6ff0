// The four-position reduction of the AVX-512 scores kernels
// (attention_one_amd64.s, attention_group_amd64.s).

// REDUCE4Z is ATTNSCORES4's reduction on AVX-512 (the scale broadcast in
// Z14). The scores end in lanes 0, 4, 8 and 12; two truncating moves of
// quadwords to doublewords store them side by side (lanes 0, 2, ..., 14,
// then 0, 4, 8, 12). VCOMPRESSPS to memory does that in one instruction,
// but on Intel's cores it held up the whole kernel (docs/performance.md).
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
	VPMOVQD Z12, Y12; \
	VPMOVQD Y12, (DX)

// ATTNSCORES4ZSETUP broadcasts the scale.
#define ATTNSCORES4ZSETUP \
	VBROADCASTSS X15, Z14
