package gguf

import (
	"io"
	"testing"
)

func BenchmarkParseQwen2Vocab(b *testing.B) {
	data := readFileT(b, "../testdata/vocab/ggml-vocab-qwen2.gguf")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteStories(b *testing.B) {
	f, err := Parse(readFileT(b, storiesPath))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Builder().WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
