// Package lora holds low-rank adapters (LoRA, Hu et al. 2021) on the linear
// sites of a decoder: ΔW = (alpha/rank)·B·A with A rank×in and B out×rank.
// Following MiLP, one site may carry several modules, each with its own rank
// and alpha. A Set is the trainable form (modules kept apart, gradients,
// dropout); an Adapter is the inference form, one factor pair per site of the
// summed rank, exactly as llama.cpp's LoRA GGUF stores it, applied unmerged
// through nn.Adapter or merged into a copy of the weights.
package lora
