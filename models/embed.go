// Package models embeds milp-lite's default model, so that the binary works
// with no download and no file at hand.
package models

import _ "embed"

// Stories260K is Karpathy's tinyllamas stories260K (MIT licence, see
// LICENSE-stories260K.md): a 260K-parameter LLaMA-architecture model trained on
// TinyStories, with a 512-token SentencePiece vocabulary, as a GGUF v3 file.
//
//go:embed stories260K.gguf
var Stories260K []byte

// DefaultName is how the embedded model is named in messages and reports.
const DefaultName = "stories260K (embedded)"
