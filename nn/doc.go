// Package nn is milp-lite's decoder-only transformer: the hyper-parameters and
// weights read from a GGUF file, the forward pass of the LLaMA family (llama
// and qwen2 architectures) with a KV cache and batched prompt processing, and
// text generation on top of it. Tokenisation lives in nn/tokenizer, sampling in
// nn/sample and chat templates in nn/chat.
//
// The forward pass is written as llm.c writes it: one explicit function per
// block (attention, feed-forward), each a short sequence of kernel calls, so
// that the later backward pass can mirror it line by line.
package nn
