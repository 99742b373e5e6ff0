package nn

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn/sample"
	"github.com/milp-lite/milp-lite/quant"
)

// feedInPieces runs tokens through a fresh State with options o, in uneven
// pieces and batches of four (so the cache, the tiled batch path and the
// single-token path all take part), and returns every position's logits.
func feedInPieces(t *testing.T, m *Model, o StateOptions, tokens []int32) (*State, []float32) {
	t.Helper()
	st, err := m.NewStateWith(0, o)
	if err != nil {
		t.Fatal(err)
	}
	st.maxBatch = 4
	var all []float32
	for pos, i := 0, 0; pos < len(tokens); i++ {
		n := min([]int{1, 6, 1, 9}[i%4], len(tokens)-pos)
		logits, err := st.Forward(tokens[pos:pos+n], true)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, logits...)
		pos += n
	}
	return st, all
}

var kvTestTokens = []int32{1, 17, 290, 5, 77, 77, 3, 250, 99, 12, 260, 4, 8, 150, 42, 7, 33, 61, 200, 9, 14, 280, 31}

// TestF16CacheStoresRoundedRows: an F16 cache holds the float32 cache's
// values rounded to nearest even. Layer 0's keys and values do not depend
// on the cache (the ones after do, through attention), so there the two
// states' rows compare exactly.
func TestF16CacheStoresRoundedRows(t *testing.T) {
	for _, s := range tinyShapes {
		m := writeModel(t, s, quant.F32, 7)
		f32, _ := feedInPieces(t, m, StateOptions{}, kvTestTokens)
		f16, _ := feedInPieces(t, m, StateOptions{KV: KVF16}, kvTestTokens)
		n := len(kvTestTokens) * m.Config.KVDim()
		for i := 0; i < n; i++ {
			if k, v := quant.F32ToF16(f32.keys[0][i]), quant.F32ToF16(f32.values[0][i]); f16.keys16[0][i] != k || f16.values16[0][i] != v {
				t.Fatalf("%s: value %d of layer 0 cached as %#04x, %#04x; %g, %g round to %#04x, %#04x",
					s.Name, i, f16.keys16[0][i], f16.values16[0][i], f32.keys[0][i], f32.values[0][i], k, v)
			}
		}
		if f16.KVBytes()*2 != f32.KVBytes() || f16.KV() != KVF16 || f32.KV() != KVF32 {
			t.Fatalf("%s: cache of %d bytes in halves, %d in float32", s.Name, f16.KVBytes(), f32.KVBytes())
		}
	}
}

// TestCacheLogitsClose: every position's logits from an F16 or 8-bit cache
// are within the type's tolerance of the float32 cache's, on the tiny
// synthetic shapes (grouped and plain heads, both rotations), one with
// SmolLM2's heads (which the 8-bit kernels read in place) and the embedded
// model, and not the same bits (the cache's type is used at all).
//
// The tolerance for halves: a half keeps 11 significant bits, so each
// cached value moves by at most 2⁻¹² of itself. Attention outputs are
// convex mixtures of the values, and a key's error moves its score by at
// most 2⁻¹² of the score's terms; through a few layers with residual
// connections such errors add up to a small multiple of 2⁻¹² of the
// logits' scale, which the bound gives room for eight times over (1/512 of
// the largest logit).
//
// For bytes: a row's bytes keep its values to half a step, 1/254 of the
// row's largest, sixteen times a half's error on a row's largest values
// and more on its small ones; the same reasoning gives 1/32. The embedded
// model, whose rows are eight values, moves by 1/29 (its text's loss by
// under a thousandth of a nat, TestF16CacheAccuracyCost), so the bound is
// 1/16.
func TestCacheLogitsClose(t *testing.T) {
	models := map[string]*Model{"stories260K": loadDefault(t)}
	for _, s := range append(tinyShapes, smolHeads) {
		models[s.Name] = writeModel(t, s, quant.F32, 7)
	}
	for _, c := range []struct {
		kv  KVType
		tol float64
	}{{KVF16, kvF16Tolerance}, {KVQ8, kvQ8Tolerance}} {
		for name, m := range models {
			_, want := feedInPieces(t, m, StateOptions{}, kvTestTokens)
			_, got := feedInPieces(t, m, StateOptions{KV: c.kv}, kvTestTokens)
			var scale, worst float64
			same := true
			for i := range want {
				scale = math.Max(scale, math.Abs(float64(want[i])))
				worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
				same = same && got[i] == want[i]
			}
			t.Logf("%s, %s: max |Δlogit| %.3g, largest logit %.3g", c.kv, name, worst, scale)
			if worst > c.tol*scale {
				t.Errorf("%s, %s: logits differ by %.3g, more than %.3g", c.kv, name, worst, c.tol*scale)
			}
			if same {
				t.Errorf("%s, %s: the cache gives the float32 cache's logits bit for bit: not used?", c.kv, name)
			}
		}
	}
}

const (
	kvF16Tolerance = 1.0 / 512
	kvQ8Tolerance  = 1.0 / 16
)

// TestF16CacheGreedyMatchesLlamaCpp: the golden greedy text of the embedded
// model is unchanged by an F16 cache (llama.cpp's default, with which the
// golden text was made).
func TestF16CacheGreedyMatchesLlamaCpp(t *testing.T) {
	golden, err := os.ReadFile("../testdata/golden/stories260K_greedy_llamacpp.txt")
	if err != nil {
		t.Fatal(err)
	}
	m := loadDefault(t)
	sess, err := NewSessionWith(m, 0, StateOptions{KV: KVF16}, sample.Params{Temperature: 0}, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	out.WriteString("Once upon a time")
	if _, _, err := sess.Send("Once upon a time", func(s string) bool { out.WriteString(s); return true }); err != nil {
		t.Fatal(err)
	}
	if sess.State.KV() != KVF16 {
		t.Fatal("the session's state does not have an F16 cache")
	}
	want := strings.TrimPrefix(string(golden), " ")
	if strings.TrimSpace(out.String()) != strings.TrimSpace(want) {
		t.Fatalf("greedy output with an F16 cache differs from llama.cpp's\n got: %q\nwant: %q", out.String(), want)
	}
}

// kvAccuracyText is a fixed story in the embedded model's domain (simple
// children's stories), a few hundred of its tokens.
const kvAccuracyText = `Once upon a time, there was a little girl named Lily. She loved to play in the park with her red ball. ` +
	`One day, the sun was warm and the sky was blue. Lily ran to the big tree and threw the ball high. ` +
	`The ball went over the fence and into the garden of an old man. Lily was sad, but she was brave. ` +
	`She knocked on the door and said, "Hello, can I have my ball, please?" The old man smiled and gave her the ball. ` +
	`He said, "You can play in my garden too, if you are careful with the flowers." Lily was very happy. ` +
	`Every day after that, she came to see the old man. They planted seeds and watched them grow. ` +
	`One morning, a small bird sat on the fence and sang a song. Lily and the old man listened and laughed. ` +
	`They were good friends, and the garden was full of flowers and love.`

// TestF16CacheAccuracyCost measures what the F16 and 8-bit caches cost on
// the embedded model over kvAccuracyText: the logits' mean and largest
// change and the change in the mean next-token cross-entropy (the text's
// loss), and holds the loss's change under a thousandth of a nat per token
// for halves, a hundredth for bytes.
func TestF16CacheAccuracyCost(t *testing.T) {
	m := loadDefault(t)
	tokens := m.Tokenizer.Encode(kvAccuracyText, true, false)
	v := m.Config.VocabSize
	loss := func(o StateOptions) (float64, []float32) {
		st, err := m.NewStateWith(len(tokens), o)
		if err != nil {
			t.Fatal(err)
		}
		logits, err := st.Forward(tokens, true)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for p := 0; p+1 < len(tokens); p++ {
			sum += crossEntropy(logits[p*v:(p+1)*v], tokens[p+1])
		}
		return sum / float64(len(tokens)-1), append([]float32(nil), logits...)
	}
	l32, want := loss(StateOptions{})
	for _, c := range []struct {
		kv    KVType
		bound float64 // nats a token
	}{{KVF16, 1e-3}, {KVQ8, 1e-2}} {
		l, got := loss(StateOptions{KV: c.kv})
		var mean, worst float64
		for i := range want {
			d := math.Abs(float64(got[i] - want[i]))
			mean += d
			worst = math.Max(worst, d)
		}
		mean /= float64(len(want))
		t.Logf("%s, %d tokens: mean |Δlogit| %.3g, max %.3g; cross-entropy %.5f nats f32, %.5f %s (Δ %+.2g)",
			c.kv, len(tokens), mean, worst, l32, l, c.kv, l-l32)
		if math.Abs(l-l32) > c.bound {
			t.Errorf("the %s cache changes the text's loss by %.3g nats a token, more than %g", c.kv, l-l32, c.bound)
		}
	}
}

// crossEntropy is −log softmax(logits)[target], in float64.
func crossEntropy(logits []float32, target int32) float64 {
	top := math.Inf(-1)
	for _, l := range logits {
		top = math.Max(top, float64(l))
	}
	var sum float64
	for _, l := range logits {
		sum += math.Exp(float64(l) - top)
	}
	return math.Log(sum) + top - float64(logits[target])
}
