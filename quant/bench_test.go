package quant

import (
	"math/rand/v2"
	"testing"
)

func benchmarkDequantize(b *testing.B, typ Type) {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, 1<<16)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	src, err := Quantize(typ, x)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, len(x))
	b.SetBytes(int64(len(dst) * 4))
	for b.Loop() {
		if err := Dequantize(typ, src, dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDequantizeQ4_K(b *testing.B) { benchmarkDequantize(b, Q4_K) }
func BenchmarkDequantizeQ6_K(b *testing.B) { benchmarkDequantize(b, Q6_K) }
func BenchmarkDequantizeQ8_0(b *testing.B) { benchmarkDequantize(b, Q8_0) }
func BenchmarkDequantizeF16(b *testing.B)  { benchmarkDequantize(b, F16) }

func BenchmarkQuantizeQ4_K(b *testing.B) {
	x := make([]float32, 1<<16)
	for i := range x {
		x[i] = float32(i%97) - 48
	}
	for b.Loop() {
		if _, err := Quantize(Q4_K, x); err != nil {
			b.Fatal(err)
		}
	}
}
