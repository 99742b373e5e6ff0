package kernels_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// End-to-end benchmarks of the kernels on a SmolLM2-135M-shaped model:
// generation as a share of the memory bandwidth, prompt processing as a
// share of the FMA peak, each against probes run in the same process just
// before (on a shared machine absolute numbers drift; the ratios do less):
//
//	go test -run X -bench SmolLM2 -count 6 ./kernels | benchstat -
//
// The synthetic SmolLM2-135M-shaped models are written once to
// $TMPDIR/milp-kernels-bench (F32: 540 MB).

func smolModel(b testing.TB, typ quant.Type) *nn.Model {
	dir := filepath.Join(os.TempDir(), "milp-kernels-bench")
	path := filepath.Join(dir, fmt.Sprintf("smollm2-135m-%s.gguf", typ))
	if _, err := os.Stat(path); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		bld, err := nn.Synthesize(nn.ShapeSmolLM2_135M, typ, 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := bld.WriteFile(path + ".tmp"); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			b.Fatal(err)
		}
	}
	m, err := nn.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m
}

// weightBytesPerToken is what generating one token reads: every layer
// matrix and the output matrix, whole.
func weightBytesPerToken(m *nn.Model) (bytes int64, matParams int64) {
	add := func(w *kernels.Matrix) {
		bytes += int64(len(w.Data))
		matParams += int64(w.Rows) * int64(w.Cols)
	}
	for i := range m.Weights.Layers {
		lw := &m.Weights.Layers[i]
		for _, w := range []*kernels.Matrix{lw.Wq, lw.Wk, lw.Wv, lw.Wo, lw.Gate, lw.Up, lw.Down} {
			add(w)
		}
	}
	add(m.Weights.Output)
	return
}

// measureBandwidth streams 256 MB on every worker (SumF32) and returns B/s.
func measureBandwidth() float64 {
	x := make([]float32, 64<<20)
	for i := range x {
		x[i] = 1
	}
	p := kernels.Default()
	const chunk = 1 << 20
	task := kernels.TaskFunc(func(lo, hi, w int) { _ = kernels.SumF32(x[lo*chunk : hi*chunk]) })
	best := 0.0
	for r := 0; r < 5; r++ {
		t0 := time.Now()
		p.For(len(x)/chunk, 1, task)
		best = max(best, float64(4*len(x))/time.Since(t0).Seconds())
	}
	return best
}

// measurePeak runs the FMA probe on every worker and returns flop/s.
func measurePeak() float64 {
	p := kernels.Default()
	flops := make([]int64, p.Size())
	task := kernels.TaskFunc(func(lo, hi, w int) {
		for i := lo; i < hi; i++ {
			flops[w] += kernels.PeakFMALoop(1 << 20)
		}
	})
	best := 0.0
	for r := 0; r < 5; r++ {
		clear(flops)
		t0 := time.Now()
		p.For(p.Size(), 1, task)
		var total int64
		for _, f := range flops {
			total += f
		}
		best = max(best, float64(total)/time.Since(t0).Seconds())
	}
	return best
}

func BenchmarkSmolLM2(b *testing.B) {
	for _, typ := range []quant.Type{quant.Q8_0, quant.F32} {
		m := smolModel(b, typ)
		st, err := m.NewState(512)
		if err != nil {
			b.Fatal(err)
		}
		bytes, params := weightBytesPerToken(m)
		for _, v := range []struct {
			spin     time.Duration
			minBytes int
		}{{0, 0}, {0, 1 << 20}, {50 * time.Microsecond, 1 << 20}, {50 * time.Microsecond, 1 << 18}, {50 * time.Microsecond, 1 << 16}, {50 * time.Microsecond, 0}} {
			b.Run(fmt.Sprintf("%s/tg/spin=%v/split=%d", typ, v.spin, v.minBytes), func(b *testing.B) {
				defer kernels.SetSpinWait(kernels.SetSpinWait(v.spin))
				defer kernels.SetMatVecMinBytes(kernels.SetMatVecMinBytes(v.minBytes))
				bw := measureBandwidth()
				st.Reset()
				tok := []int32{1}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if st.Pos >= 64 {
						st.Reset()
					}
					if _, err := st.Forward(tok, false); err != nil {
						b.Fatal(err)
					}
				}
				tps := float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(tps, "tokens/s")
				b.ReportMetric(tps*float64(bytes)/1e9, "GB/s")
				b.ReportMetric(100*tps*float64(bytes)/bw, "%bw")
				b.ReportMetric(bw/1e9, "probeGB/s")
			})
		}
		if typ != quant.F32 && testing.Short() {
			continue
		}
		b.Run(fmt.Sprintf("%s/pp128", typ), func(b *testing.B) {
			peak := measurePeak()
			prompt := make([]int32, 128)
			for i := range prompt {
				prompt[i] = int32(3 + i)
			}
			// FLOPs, as the bench suite counts them: 2 per layer matrix
			// parameter per token, 2 per output parameter for the last
			// token only (the logits a prompt returns), plus attention
			// (q·k and p·v over the causal prefix: 2·2·dim per pair).
			c := m.Config
			attn := 0.0
			for i := 0; i < 128; i++ {
				attn += 4 * float64(c.Heads*(c.Dim/c.Heads)) * float64(i+1)
			}
			output := float64(m.Weights.Output.Rows) * float64(m.Weights.Output.Cols)
			flopsPerPrompt := 128*2*float64(params-int64(output)) + 2*output + float64(c.Layers)*attn
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				st.Reset()
				if _, err := st.Forward(prompt, false); err != nil {
					b.Fatal(err)
				}
			}
			rate := flopsPerPrompt * float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(128*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			b.ReportMetric(rate/1e9, "GFLOP/s")
			b.ReportMetric(100*rate/peak, "%peak")
		})
	}
}
