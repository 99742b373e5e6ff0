package tokenizer

import (
	"fmt"

	"github.com/milp-lite/milp-lite/gguf"
)

// preSplitter names the word-splitting rules applied before byte-level BPE.
// llama.cpp chooses a list of regexes per tokenizer.ggml.pre value; the ones
// supported here are the families whose regexes it runs through its own
// hand-written splitters (gpt2, llama3) or through trivially simple regexes.
type preSplitter int

const (
	// preDefault: [\p{P}\$\+<=>\^~\|]+ then the GPT-2 regex, \p{N}+, [0-9][0-9][0-9].
	preDefault preSplitter = iota
	// preGPT2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
	preGPT2
	// preLlama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
	//            ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
	preLlama3
	// preQwen2: the Llama 3 regex with \p{N} (single digits) instead of \p{N}{1,3}.
	preQwen2
	// preStarcoder: \p{N} (every digit alone), then the GPT-2 regex.
	preStarcoder
)

// preConfig is what a tokenizer.ggml.pre value implies besides the regexes,
// copied from llama.cpp's llama_vocab::impl::load.
type preConfig struct {
	splitter     preSplitter
	ignoreMerges bool // a word that is already a token is not merged
	addBOS       bool // default for tokenizer.ggml.add_bos_token
	cleanSpaces  bool // decode removes spaces before punctuation
	noBOS        bool // the default BOS id is disabled
}

func lookupPre(name string) (preConfig, error) {
	c := preConfig{cleanSpaces: true}
	switch name {
	case "", "default":
		c.splitter = preDefault
	case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
		c.splitter, c.ignoreMerges, c.addBOS = preLlama3, true, true
	case "dbrx", "smaug-bpe":
		c.splitter = preLlama3
	case "glm4", "chatglm-bpe":
		c.splitter, c.noBOS = preLlama3, true
	case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
		"modern-bert", "exaone4", "mpt", "olmo", "jais", "jina-v1-en", "jina-v2-code", "roberta-bpe":
		c.splitter = preGPT2
	case "trillion", "granite-docling":
		c.splitter, c.cleanSpaces = preGPT2, false
	case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2":
		c.splitter, c.cleanSpaces = preQwen2, false
	case "megrez", "stablelm2":
		c.splitter = preQwen2
	case "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2":
		c.splitter = preStarcoder
	case "command-r", "smollm":
		c.splitter, c.cleanSpaces = preStarcoder, false
	default:
		return c, fmt.Errorf("tokenizer: unsupported pre-tokenizer %s in tokenizer.ggml.pre", gguf.Quote(name))
	}
	return c, nil
}

func (p preSplitter) String() string {
	switch p {
	case preGPT2:
		return "gpt-2 regex"
	case preLlama3:
		return "llama3 regex"
	case preQwen2:
		return "qwen2 regex"
	case preStarcoder:
		return "digits + gpt-2 regex"
	}
	return "default regexes"
}

// splitWords cuts cpts into words (returned as code-point lengths appended
// to dst) by running the splitter's stages in order, each stage re-cutting
// every piece the previous one produced, as llama.cpp's unicode_regex_split.
func (p preSplitter) splitWords(cpts []uint32, dst, scratch []int) ([]int, []int) {
	cur := append(scratch[:0], len(cpts))
	if len(cpts) == 0 {
		return dst[:0], cur
	}
	stage := func(f func(frag []uint32, out []int) []int) {
		next := dst[:0]
		start := 0
		for _, n := range cur {
			next = f(cpts[start:start+n], next)
			start += n
		}
		cur, dst = next, cur
	}
	switch p {
	case preGPT2:
		stage(splitGPT2)
	case preLlama3:
		stage(func(f []uint32, out []int) []int { return splitLlama3(f, 3, out) })
	case preQwen2:
		stage(func(f []uint32, out []int) []int { return splitLlama3(f, 1, out) })
	case preStarcoder:
		stage(func(f []uint32, out []int) []int { return splitMatches(f, out, matchOneDigit) })
		stage(splitGPT2)
	default:
		stage(func(f []uint32, out []int) []int { return splitMatches(f, out, matchPunctRun) })
		stage(splitGPT2)
		stage(func(f []uint32, out []int) []int { return splitMatches(f, out, matchDigitRun) })
		stage(func(f []uint32, out []int) []int { return splitMatches(f, out, matchThreeASCIIDigits) })
	}
	return cur, dst
}
