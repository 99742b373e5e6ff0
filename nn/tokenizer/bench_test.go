package tokenizer

import (
	"math/rand"
	"strings"
	"testing"
)

// englishText builds about n bytes of English-like prose, deterministic.
func englishText(n int) string {
	words := strings.Fields(`the quick brown fox jumps over a lazy dog while Lily and her little
		brother Tom were playing in the garden near an old oak tree it was sunny day they laughed
		because everything seemed possible "Don't worry," she said; we'll find the ball isn't it
		there are 1234 reasons to believe in 2024 that computers can't think yet they're learning`)
	r := rand.New(rand.NewSource(7))
	var sb strings.Builder
	for sb.Len() < n {
		for i := 3 + r.Intn(12); i > 0; i-- {
			sb.WriteString(words[r.Intn(len(words))])
			sb.WriteByte(' ')
		}
		sb.WriteString([]string{". ", ", ", "! ", "?\n", ".\n\n"}[r.Intn(5)])
	}
	return sb.String()
}

func benchmarkEncode(b *testing.B, name string) {
	tok := vocab(b, name)
	text := englishText(1 << 20)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok.Encode(text, true, false)
	}
}

// BenchmarkEncode tokenises 1 MB of English text per iteration.
func BenchmarkEncode(b *testing.B) {
	for _, name := range []string{"qwen2", "llama-bpe", "gpt-2", "llama-spm"} {
		b.Run(name, func(b *testing.B) { benchmarkEncode(b, name) })
	}
}
