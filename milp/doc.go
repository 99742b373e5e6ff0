// Package milp is milp-lite's main job: per-user memory injection (MiLP,
// Zhang et al., arXiv 2404.03565) beside MaLP's short/long-term memory
// (arXiv 2309.11696), and the benchmark that compares them with the usual
// alternatives.
//
// A user's history (their past conversations, package userdata) is trained
// into LoRA modules in the model's feed-forward layers. Which layers get
// memory, which FFN sites, the rank, the number of LoRA modules per site and
// the learning rate are chosen per user by Gaussian-process Bayesian
// optimisation (package bo), each trial a training run scored by the ROUGE-L
// of the replies it generates for the user's validation turns. The benchmark
// then scores, on the user's held-out test turns, the base model zero-shot,
// the history in the prompt, BM25 retrieval of past turns, one fixed LoRA,
// retrieval plus that fixed LoRA (MaLP-style) and the searched adapter.
package milp
