package bench

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKernelPeersComputeTheSameProducts: the peers are only comparable if
// they compute the same thing, so one call of each must agree with ours.
// Each output sums at most terms products of values in [-1, 1], in an order
// of the implementation's choosing, so two of them lie within 2γ·terms of
// each other (γ = terms·2⁻²⁴, about); a transposed operand or a wrong
// stride is off by the size of the outputs themselves.
func TestKernelPeersComputeTheSameProducts(t *testing.T) {
	terms := map[string]int{"dot": peerShape.FFNDim, "axpy": 2, "matvec": peerShape.FFNDim, "gemm": peerShape.FFNDim}
	for _, c := range peerCases(1) {
		require.Len(t, c.impls, 3, c.kernel)
		ours := c.impls[0]
		require.Equal(t, peerOurs, ours.name)
		k := float64(terms[c.kernel])
		bound := 2 * (k * 0x1p-24) * k
		for _, im := range c.impls {
			im.run()
		}
		for _, im := range c.impls[1:] {
			require.Len(t, im.out, len(ours.out), "%s %s", im.name, c.kernel)
			for i := range im.out {
				require.InDelta(t, ours.out[i], im.out[i], bound, "%s %s: output %d", im.name, c.kernel, i)
			}
		}
	}
}

func TestRunKernelPeers(t *testing.T) {
	opts := DefaultOptions()
	opts.KernelTime = 0.001
	var steps []string
	res, err := RunKernelPeers(opts, func(step string, done, total int) {
		assert.LessOrEqual(t, done, total)
		steps = append(steps, step)
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"dot beside vek and gonum", "axpy beside vek and gonum", "matvec beside vek and gonum",
		"gemm beside vek and gonum", "done"}, steps)
	assert.Empty(t, res.KernelRows)
	assert.Empty(t, res.Models)
	assert.NotEmpty(t, res.Date)
	assert.NotEmpty(t, res.Kernels)

	require.Len(t, res.KernelPeers, 12)
	for i, r := range res.KernelPeers {
		assert.Equal(t, []string{"dot", "axpy", "matvec", "gemm"}[i/3], r.Kernel)
		assert.Equal(t, []string{peerOurs, peerVek, peerGonum}[i%3], r.Impl)
		for _, rate := range []float64{r.GFLOPS, r.GBs} {
			assert.True(t, rate > 0 && !math.IsInf(rate, 0), "%s %s: %v", r.Impl, r.Kernel, rate)
		}
		assert.GreaterOrEqual(t, r.Threads, 1)
	}
	assert.Contains(t, Markdown(res), "| f32 kernel | size | unit | milp-lite | vek | gonum |")

	data, err := JSON(res)
	require.NoError(t, err)
	var back Result
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, res.KernelPeers, back.KernelPeers)
}

func TestRunKernelPeersRefusesModels(t *testing.T) {
	opts := DefaultOptions()
	opts.ModelFiles = []string{"model.gguf"}
	_, err := RunKernelPeers(opts, nil)
	assert.ErrorContains(t, err, "alone")
}

func TestPeerTable(t *testing.T) {
	assert.Empty(t, peerTable(nil))
	rows := []PeerRow{
		{Kernel: "dot", Impl: "milp-lite", Size: "n=8", Threads: 1, GFLOPS: 1, GBs: 40},
		{Kernel: "dot", Impl: "vek", Size: "n=8", Threads: 1, GFLOPS: 0.5, GBs: 20},
		{Kernel: "axpy", Impl: "vek", Size: "n=8", Threads: 1, GFLOPS: 0.5, GBs: 3.2, Note: "two passes"},
		{Kernel: "gemm", Impl: "milp-lite", Size: "2×3×4", Threads: 2, GFLOPS: 150.2, GBs: 9},
		{Kernel: "gemm", Impl: "vek", Size: "2×3×4", Threads: 2, GFLOPS: 75, GBs: 4.5},
	}
	want := `| f32 kernel | size | unit | milp-lite | vek |
|---|---|---|---:|---:|
| dot | n=8 | GB/s | 40.0 | 20.0 |
| axpy | n=8 | GB/s | – | 3.2[^p1] |
| gemm | 2×3×4 | GFLOP/s | 150.2 (2 threads) | 75.0 (2 threads) |

[^p1]: vek axpy: two passes

The same data for every implementation, one thread unless stated; GB/s counts each operand read or written once.

`
	assert.Equal(t, want, peerTable(rows))
}

// BenchmarkKernelPeers times each kernel of each implementation on the
// data RunKernelPeers uses, for benchstat:
//
//	go test -run '^$' -bench KernelPeers -count 6 ./bench | benchstat -col /impl -
func BenchmarkKernelPeers(b *testing.B) {
	for _, c := range peerCases(1) {
		b.Run("kernel="+c.kernel, func(b *testing.B) {
			for _, im := range c.impls {
				b.Run("impl="+im.name, func(b *testing.B) {
					b.SetBytes(int64(c.bytes))
					for b.Loop() {
						im.run()
					}
					b.ReportMetric(c.flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		})
	}
}
