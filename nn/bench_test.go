package nn

import (
	"testing"

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
