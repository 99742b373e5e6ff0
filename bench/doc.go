// Package bench is milp-lite's benchmark suite. It writes random-weight GGUFs
// of real model shapes into a cache directory, measures the machine (memory
// bandwidth, f32 FMA peak), the kernels (matvec and GEMM on the models'
// shapes) and the engine (prompt processing pp128 and generation tg64), and
// puts every number beside its roofline: generation is bounded by memory
// bandwidth (every weight is read once per token), prompt processing by
// floating-point throughput.
//
// Results are reported as markdown tables and as JSON that records the CPU,
// so that runs on different machines or kernel levels can be compared.
package bench
