// Shared by the amd64 assembly: clearing the accumulators a kernel starts
// from. VXORPS of a register with itself breaks the dependency on its old
// value (a zeroing idiom), which a move of zeros would not.

// ZEROY0TO7 clears Y0–Y7.
#define ZEROY0TO7 \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; \
	VXORPS Y5, Y5, Y5; \
	VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7
