package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// Benchmarks run one sub-benchmark per available level (names end in
// /level), so one process compares the levels on a noisy machine:
//
//	go test -run X -bench . -count 6 ./kernels | benchstat -col /level -
func benchLevels(b *testing.B, f func(b *testing.B)) {
	defer SetLevel(CurrentLevel())
	for _, l := range AvailableLevels() {
		b.Run("level="+l.String(), func(b *testing.B) {
			if err := SetLevel(l); err != nil {
				b.Fatal(err)
			}
			f(b)
		})
	}
}

func BenchmarkDot(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{576, 1536, 16384} {
		x, y := randVec(r, n), randVec(r, n)
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			benchLevels(b, func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				for b.Loop() {
					sink = Dot(x, y)
				}
			})
		})
	}
}

// BenchmarkSumF32 streams a 256 MB buffer: the memory read bandwidth of all
// workers together (each sums its share), the ceiling of the matvecs.
func BenchmarkSumF32(b *testing.B) {
	x := make([]float32, 64<<20)
	for i := range x {
		x[i] = 1
	}
	p := Default()
	sums := make([]float32, p.Size())
	const chunk = 1 << 20
	task := TaskFunc(func(lo, hi, w int) { sums[w] += SumF32(x[lo*chunk : hi*chunk]) })
	benchLevels(b, func(b *testing.B) {
		b.SetBytes(int64(4 * len(x)))
		for b.Loop() {
			p.For(len(x)/chunk, 1, task)
		}
	})
}

// BenchmarkPeakFMA runs the FMA probe on every worker at once and reports
// GFLOP/s for the machine (all workers).
func BenchmarkPeakFMA(b *testing.B) {
	p := Default()
	const iters = 1 << 20
	flops := make([]int64, p.Size())
	task := TaskFunc(func(lo, hi, w int) {
		for i := lo; i < hi; i++ {
			flops[w] += PeakFMALoop(iters)
		}
	})
	benchLevels(b, func(b *testing.B) {
		clear(flops)
		for b.Loop() {
			p.For(p.Size(), 1, task)
		}
		var total int64
		for _, f := range flops {
			total += f
		}
		b.ReportMetric(float64(total)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkMatVec is one token through a weight matrix (batch 1) on the
// default pool; GB/s counts the weight bytes read.
func BenchmarkMatVec(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q5_K, quant.Q6_K} {
		for _, shape := range [][2]int{{576, 1536}, {1536, 576}} {
			rows, cols := shape[0], shape[1]
			if cols%typ.BlockSize() != 0 {
				continue // K formats need rows of whole 256-blocks
			}
			data, err := quant.Quantize(typ, randVec(r, rows*cols))
			if err != nil {
				b.Fatal(err)
			}
			w, err := NewMatrix(typ, rows, cols, data)
			if err != nil {
				b.Fatal(err)
			}
			x, dst := randVec(r, cols), make([]float32, rows)
			b.Run(fmt.Sprintf("%s/%dx%d", typ, rows, cols), func(b *testing.B) {
				benchLevels(b, func(b *testing.B) {
					b.SetBytes(int64(len(data)))
					for b.Loop() {
						MatMul(dst, w, x, 1)
					}
				})
			})
		}
	}
}

// BenchmarkGEMM is a 256-token batch through a 576×1536 F32 weight matrix
// (C = X·Wᵀ), reporting GFLOP/s.
func BenchmarkGEMM(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	const m, n, k = 256, 1536, 576
	x, w, c := randVec(r, m*k), randVec(r, n*k), make([]float32, m*n)
	wm := NewF32Matrix(n, k, w)
	benchLevels(b, func(b *testing.B) {
		for b.Loop() {
			MatMul(c, wm, x, m)
		}
		b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
