package kernels_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/models"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// accuracyText is a fixed text in the style stories260K was trained on.
const accuracyText = `Once upon a time, there was a little girl named Lily. She liked to play in the park with her red ball. ` +
	`One day, Lily saw a big dog near the tree. The dog was sad because he was lost. Lily said, "Do not be sad, dog. ` +
	`I will help you find your home." They walked and walked until they saw a small house with a blue door. ` +
	`A kind old man came out and smiled. "Thank you for bringing my dog back," he said. Lily was happy. ` +
	`She gave the dog a hug and ran home to tell her mom. Her mom was proud of her, and they ate a warm cake together. ` +
	`The next day, Tom and Lily went to the lake. They saw a duck and some fish. Tom wanted to catch a fish, ` +
	`but Lily said, "Let's just watch them swim." So they sat on the grass and watched the water shine in the sun.`

// writeAccuracyFiles writes stories260K in typ and the text's token ids
// into dir.
func writeAccuracyFiles(t testing.TB, dir string, typ quant.Type, tokens []int32) {
	if err := os.WriteFile(filepath.Join(dir, "stories260K-"+typ.String()+".gguf"), quantisedStoriesFile(t, typ), 0o644); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(tokens))
	for i, tok := range tokens {
		ids[i] = strconv.Itoa(int(tok))
	}
	if err := os.WriteFile(filepath.Join(dir, "tokens.txt"), []byte(strings.Join(ids, " ")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// quantisedStories returns the embedded stories260K with every matrix whose
// rows are whole blocks of typ stored as typ, by package quant.
func quantisedStories(t testing.TB, typ quant.Type) *nn.Model {
	g, err := gguf.Parse(quantisedStoriesFile(t, typ))
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.FromGGUF(g)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// quantisedStoriesFile is quantisedStories' GGUF file.
func quantisedStoriesFile(t testing.TB, typ quant.Type) []byte {
	f, err := gguf.Parse(models.Stories260K)
	if err != nil {
		t.Fatal(err)
	}
	b := gguf.NewBuilder()
	for _, kv := range f.KV {
		b.Set(kv.Key, kv.Value)
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		data, tt := f.TensorData(ti), ti.Type
		if len(ti.Dims) == 2 && ti.Type == quant.F32 && int(ti.Dims[0])%typ.BlockSize() == 0 {
			vals := make([]float32, ti.Elements())
			if err := quant.Dequantize(quant.F32, data, vals); err != nil {
				t.Fatal(err)
			}
			if data, err = quant.Quantize(typ, vals); err != nil {
				t.Fatal(err)
			}
			tt = typ
		}
		if err := b.AddTensor(ti.Name, tt, ti.Dims, data); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// textLoss is the mean cross-entropy (nats) of m's next-token predictions
// over tokens, and the logits it made them from.
func textLoss(t testing.TB, m *nn.Model, tokens []int32) (float64, []float32) {
	st, err := m.NewState(len(tokens))
	if err != nil {
		t.Fatal(err)
	}
	logits, err := st.Forward(tokens, true)
	if err != nil {
		t.Fatal(err)
	}
	logits = append([]float32(nil), logits...)
	v := m.Config.VocabSize
	var loss float64
	for i := 0; i+1 < len(tokens); i++ {
		loss -= logSoftmax(logits[i*v : (i+1)*v])[tokens[i+1]]
	}
	return loss / float64(len(tokens)-1), logits
}

// accuracyFilesEnv names a folder where TestIntegerBatchAccuracy writes its
// quantised models and the text's token ids, for llama.cpp to read the same
// text with the same weights (docs/llamacpp/closs.c).
const accuracyFilesEnv = "MILP_ACCURACY_FILES"

// TestIntegerBatchAccuracy: stories260K with its matrices in Q8_0 and Q4_0
// reads a fixed text with batched products as integer dots and as the
// float GEMM on dequantised tiles; the integer path's mean next-token loss
// is within 0.5% of the float path's (the activations' 8-bit rounding is
// its only extra error). At a level with the batched kernels the logits
// must differ (the integer path ran).
func TestIntegerBatchAccuracy(t *testing.T) {
	m32 := testmodel.Default(t)
	loss32, _ := textLoss(t, m32, m32.Tokenizer.Encode(accuracyText, true, false))
	t.Logf("F32 weights: loss %.5f", loss32)
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0} {
		m := quantisedStories(t, typ)
		tokens := m.Tokenizer.Encode(accuracyText, true, false)
		if dir := os.Getenv(accuracyFilesEnv); dir != "" {
			writeAccuracyFiles(t, dir, typ, tokens)
		}
		defer kernels.SetIntegerBatches(kernels.SetIntegerBatches(false))
		lossF, logitsF := textLoss(t, m, tokens)
		kernels.SetIntegerBatches(true)
		lossI, logitsI := textLoss(t, m, tokens)
		var d2, z2 float64
		for i := range logitsF {
			d := float64(logitsI[i] - logitsF[i])
			d2 += d * d
			z2 += float64(logitsF[i]) * float64(logitsF[i])
		}
		rel := (lossI - lossF) / lossF
		t.Logf("%s, %d tokens, level %s: loss %.5f float GEMM, %.5f integer (%+.3f%%); logits' RMS difference %.2e of their RMS",
			typ, len(tokens), kernels.CurrentLevel(), lossF, lossI, 100*rel, math.Sqrt(d2/z2))
		if math.Abs(rel) > 0.005 {
			t.Errorf("%s: the integer path's loss %.5f is %.3f%% from the float path's %.5f", typ, lossI, 100*rel, lossF)
		}
		if d2 == 0 && kernels.HasIntegerBatches(typ) {
			t.Errorf("%s: the integer path gave the float path's logits: it did not run", typ)
		}
	}
}

// kShape is a small model whose every matrix is whole 256-blocks wide, so
// the K formats cover it (stories260K is 64 wide).
var kShape = nn.Shape{Name: "k-accuracy", Arch: "llama", Dim: 256, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 512, Vocab: 512, Context: 512}

// TestIntegerBatchAccuracyK: the K formats, on a synthetic model (random
// weights, the same values stored as F32, Q4_K and Q6_K) reading the fixed
// text as byte tokens. The measure is llama-perplexity's KL divergence of
// each position's next-token distribution from the F32 model's: the
// integer path (activations rounded to 8 bits per 256) may add at most half
// of what the weights' own rounding costs through the float GEMM, and it
// must change the logits (it ran). Types the level has no batched kernels
// for are left out.
func TestIntegerBatchAccuracyK(t *testing.T) {
	var types []quant.Type
	for _, typ := range []quant.Type{quant.Q4_K, quant.Q6_K} {
		if kernels.HasIntegerBatches(typ) {
			types = append(types, typ)
		}
	}
	if len(types) == 0 {
		t.Skipf("level %s multiplies no K format as integers", kernels.CurrentLevel())
	}
	m32 := testmodel.Synthetic(t, kShape, quant.F32, 7)
	tokens := m32.Tokenizer.Encode(accuracyText, true, false)[:256]
	_, logits32 := textLoss(t, m32, tokens)
	for _, typ := range types {
		m := testmodel.Synthetic(t, kShape, typ, 7)
		defer kernels.SetIntegerBatches(kernels.SetIntegerBatches(false))
		lossF, logitsF := textLoss(t, m, tokens)
		kernels.SetIntegerBatches(true)
		lossI, logitsI := textLoss(t, m, tokens)
		klF, klI := meanKL(logits32, logitsF, kShape.Vocab), meanKL(logits32, logitsI, kShape.Vocab)
		t.Logf("%s, %d tokens, level %s: KL from F32 %.3e float GEMM, %.3e integer; loss %.5f float, %.5f integer",
			typ, len(tokens), kernels.CurrentLevel(), klF, klI, lossF, lossI)
		if klF <= 0 || klI > 1.5*klF {
			t.Errorf("%s: the integer path's KL divergence from F32 %.3e is more than 1.5× the float path's %.3e", typ, klI, klF)
		}
		if slices.Equal(logitsI, logitsF) {
			t.Errorf("%s: the integer path gave the float path's logits: it did not run", typ)
		}
	}
}

// meanKL is the mean over positions of KL(softmax(p) ‖ softmax(q)) for rows
// of v logits.
func meanKL(p, q []float32, v int) float64 {
	var kl float64
	rows := len(p) / v
	for i := 0; i < rows; i++ {
		lp, lq := logSoftmax(p[i*v:(i+1)*v]), logSoftmax(q[i*v:(i+1)*v])
		for j := range lp {
			kl += math.Exp(lp[j]) * (lp[j] - lq[j])
		}
	}
	return kl / float64(rows)
}

// logSoftmax is the log-probabilities of a row of logits.
func logSoftmax(row []float32) []float64 {
	mx := math.Inf(-1)
	for _, z := range row {
		mx = math.Max(mx, float64(z))
	}
	var s float64
	for _, z := range row {
		s += math.Exp(float64(z) - mx)
	}
	out := make([]float64, len(row))
	for i, z := range row {
		out[i] = float64(z) - mx - math.Log(s)
	}
	return out
}
