package bench

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// The Go benchmarks time pp and tg on the stories15M shape, for benchstat:
//
//	go test -run '^$' -bench . -count 10 ./bench > new.txt
//
// The models are written once per process to a temporary directory.

var (
	benchDir     string
	benchDirOnce sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchModel(b *testing.B, typ quant.Type) *nn.Model {
	benchDirOnce.Do(func() {
		dir, err := os.MkdirTemp("", "milp-lite-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
	})
	path, _, err := (&ModelCache{Dir: benchDir, Seed: 1}).Ensure(nn.ShapeStories15M, typ, nil)
	if err != nil {
		b.Fatal(err)
	}
	m, err := nn.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m
}

var benchTypes = []quant.Type{quant.F32, quant.Q8_0, quant.Q4_0, quant.Q4_K}

// BenchmarkPP128 is one forward pass over a 128-token prompt.
func BenchmarkPP128(b *testing.B) {
	for _, typ := range benchTypes {
		b.Run(typ.String(), func(b *testing.B) {
			m := benchModel(b, typ)
			st, err := m.NewState(128)
			if err != nil {
				b.Fatal(err)
			}
			tokens := make([]int32, 128)
			for i := range tokens {
				tokens[i] = int32(3 + i*37%(m.Config.VocabSize-3))
			}
			st.Forward(tokens[:16], false) // warm-up
			var elapsed time.Duration
			for b.Loop() {
				st.Reset()
				start := time.Now()
				if _, err := st.Forward(tokens, false); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(b.N*len(tokens))/elapsed.Seconds(), "tokens/s")
		})
	}
}

// BenchmarkTG is one generated token: a forward pass of a single token at
// positions 0 to 63 in turn.
func BenchmarkTG(b *testing.B) {
	for _, typ := range benchTypes {
		b.Run(typ.String(), func(b *testing.B) {
			m := benchModel(b, typ)
			st, err := m.NewState(64)
			if err != nil {
				b.Fatal(err)
			}
			tok := []int32{42}
			st.Forward(tok, false) // warm-up
			st.Reset()
			for b.Loop() {
				if st.Pos == 64 {
					st.Reset()
				}
				if _, err := st.Forward(tok, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
