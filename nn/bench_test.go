package nn

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/quant"
)

// BenchmarkDecode measures generation (one token per forward pass) and prompt
// processing (a 128-token batch) on the embedded model and a stories15M-shaped
// model; tokens/s is reported for benchstat.
func BenchmarkDecode(b *testing.B) {
	models := []struct {
		name string
		m    func(b *testing.B) *Model
	}{
		{"stories260K", func(b *testing.B) *Model { return loadDefault(b) }},
		{"stories15M-F32", func(b *testing.B) *Model { return writeModel(b, ShapeStories15M, quant.F32, 1) }},
		{"stories15M-Q8_0", func(b *testing.B) *Model { return writeModel(b, ShapeStories15M, quant.Q8_0, 1) }},
	}
	for _, mc := range models {
		m := mc.m(b)
		st, err := m.NewState(256)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(mc.name+"/tg", func(b *testing.B) {
			tok := []int32{1}
			for i := 0; i < b.N; i++ {
				if st.Pos >= st.Ctx {
					st.Reset()
				}
				if _, err := st.Forward(tok, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
		b.Run(mc.name+"/pp128", func(b *testing.B) {
			prompt := make([]int32, 128)
			for i := range prompt {
				prompt[i] = int32(3 + i)
			}
			for i := 0; i < b.N; i++ {
				st.Reset()
				if _, err := st.Forward(prompt, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(128*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkGenerateAtDepth: generation deep into a conversation on a
// SmolLM2-135M-shaped Q8_0 model, with the float32 and the F16 KV cache.
// Each round generates 16 tokens after the same cached prefix with either
// cache, one after the other, so a shared machine's load falls on both;
// the medians over the rounds are reported.
func BenchmarkGenerateAtDepth(b *testing.B) {
	m := writeModel(b, ShapeSmolLM2_135M, quant.Q8_0, 1)
	const steps = 16
	for _, depth := range []int{2000, 4000} {
		prompt := make([]int32, depth)
		for i := range prompt {
			prompt[i] = int32(3 + (i*7919)%(m.Config.VocabSize-3))
		}
		kinds := []KVType{KVF32, KVF16}
		states := make([]*State, len(kinds))
		for i, kv := range kinds {
			st, err := m.NewStateWith(depth+steps, StateOptions{KV: kv})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Forward(prompt, false); err != nil {
				b.Fatal(err)
			}
			states[i] = st
		}
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			rates := make([][]float64, len(kinds))
			for b.Loop() {
				for i, st := range states {
					st.Rewind(depth)
					start := time.Now()
					for range steps {
						if _, err := st.Forward([]int32{5}, false); err != nil {
							b.Fatal(err)
						}
					}
					rates[i] = append(rates[i], steps/time.Since(start).Seconds())
				}
			}
			for i, kv := range kinds {
				slices.Sort(rates[i])
				b.ReportMetric(rates[i][len(rates[i])/2], kv.String()+"-tokens/s")
			}
		})
	}
}
