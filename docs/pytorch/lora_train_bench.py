#!/usr/bin/env python3
"""LoRA training throughput of a random-weight llama decoder in PyTorch.

A reference harness for `milp-lite bench train`: the same decoder shape in
float32 (RMSNorm, RoPE, grouped-query attention, SwiGLU FFN, tied embedding),
frozen base weights, rank-8 LoRA (alpha 16) on the gate, up and down
projections of every layer, AdamW without weight decay or clipping, one
sequence per step with the loss on every position. It prints train tokens/s:
sequence length over the median step time (forward, backward, optimizer).
"""

import argparse
import ctypes
import json
import math
import os
import platform
import statistics
import time

import torch
import torch.nn.functional as F

# Decoder shapes as milp-lite's nn package defines them (nn/synthetic.go).
SHAPES = {
    "SmolLM2-135M": dict(dim=576, layers=30, heads=9, kv_heads=3, ffn=1536, vocab=49152, rope_base=100000.0),
    "stories15M": dict(dim=288, layers=6, heads=6, kv_heads=6, ffn=768, vocab=32000, rope_base=10000.0),
}
NORM_EPS = 1e-5
INIT_STD = 0.02


class LoRALinear(torch.nn.Module):
    """A frozen bias-free linear map plus a trainable (alpha/rank)·B·A."""

    def __init__(self, d_in, d_out, rank=0, alpha=0.0):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(d_out, d_in) * INIT_STD, requires_grad=False)
        self.rank = rank
        if rank > 0:
            bound = 1 / math.sqrt(d_in)  # A Kaiming-uniform and B zero, as milp-lite's lora.New
            self.lora_a = torch.nn.Parameter(torch.empty(rank, d_in).uniform_(-bound, bound))
            self.lora_b = torch.nn.Parameter(torch.zeros(d_out, rank))
            self.scale = alpha / rank

    def forward(self, x):
        y = F.linear(x, self.weight)
        if self.rank > 0:
            y = y + self.scale * F.linear(F.linear(x, self.lora_a), self.lora_b)
        return y


class RMSNorm(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim), requires_grad=False)

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + NORM_EPS) * self.weight


def rope_tables(seq, head_dim, base):
    """cos and sin of each position's angles, (seq, head_dim/2)."""
    inv_freq = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    angles = torch.outer(torch.arange(seq, dtype=torch.float64), inv_freq)
    return angles.cos().float(), angles.sin().float()


def apply_rope(x, cos, sin):
    """Rotates pairs of adjacent dimensions (GGUF llama layout); x is (heads, seq, head_dim)."""
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1).flatten(-2)


class Block(torch.nn.Module):
    def __init__(self, s, rank, alpha):
        super().__init__()
        dim, head_dim = s["dim"], s["dim"] // s["heads"]
        self.heads, self.kv_heads, self.head_dim = s["heads"], s["kv_heads"], head_dim
        self.attn_norm, self.ffn_norm = RMSNorm(dim), RMSNorm(dim)
        self.wq = LoRALinear(dim, dim)
        self.wk = LoRALinear(dim, s["kv_heads"] * head_dim)
        self.wv = LoRALinear(dim, s["kv_heads"] * head_dim)
        self.wo = LoRALinear(dim, dim)
        self.gate = LoRALinear(dim, s["ffn"], rank, alpha)
        self.up = LoRALinear(dim, s["ffn"], rank, alpha)
        self.down = LoRALinear(s["ffn"], dim, rank, alpha)

    def attention(self, x, cos, sin, mask):
        t = x.shape[0]
        q = self.wq(x).view(t, self.heads, self.head_dim).transpose(0, 1)
        k = self.wk(x).view(t, self.kv_heads, self.head_dim).transpose(0, 1)
        v = self.wv(x).view(t, self.kv_heads, self.head_dim).transpose(0, 1)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        group = self.heads // self.kv_heads
        k = k.repeat_interleave(group, dim=0)
        v = v.repeat_interleave(group, dim=0)
        scores = (q @ k.transpose(1, 2)) / math.sqrt(self.head_dim) + mask
        out = torch.softmax(scores, dim=-1) @ v
        return self.wo(out.transpose(0, 1).reshape(t, -1))

    def forward(self, x, cos, sin, mask):
        x = x + self.attention(self.attn_norm(x), cos, sin, mask)
        n = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(n)) * self.up(n))


class Decoder(torch.nn.Module):
    def __init__(self, s, seq, rank, alpha):
        super().__init__()
        self.embedding = torch.nn.Parameter(torch.randn(s["vocab"], s["dim"]) * INIT_STD, requires_grad=False)
        self.blocks = torch.nn.ModuleList(Block(s, rank, alpha) for _ in range(s["layers"]))
        self.norm = RMSNorm(s["dim"])
        cos, sin = rope_tables(seq, s["dim"] // s["heads"], s["rope_base"])
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        self.register_buffer("mask", torch.full((seq, seq), float("-inf")).triu(1))

    def forward(self, tokens):
        x = F.embedding(tokens, self.embedding)
        for b in self.blocks:
            x = b(x, self.cos, self.sin, self.mask)
        return F.linear(self.norm(x), self.embedding)  # tied: the embedding is the output head


def blas_library():
    """The BLAS this process loaded (Linux), which sets PyTorch's float32 matrix speed, and for OpenBLAS the
    kernel set it chose: on a CPU it does not recognise it falls back to SSE3 ("Prescott"), about ten times
    slower; OPENBLAS_CORETYPE overrides the choice."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() or "mkl_core" in line}
    except OSError:
        return "unknown"
    names = [os.path.basename(lib) for lib in sorted(libs)]
    for lib in libs:
        if "openblas" in os.path.basename(lib):
            corename = ctypes.CDLL(lib).openblas_get_corename
            corename.restype = ctypes.c_char_p
            names.append("core " + corename().decode())
    return ", ".join(names) or "none found"


def measure(args):
    torch.manual_seed(args.seed)
    model = Decoder(SHAPES[args.shape], args.seq, args.rank, args.alpha)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0)
    tokens = torch.randint(0, SHAPES[args.shape]["vocab"], (args.seq + 1,))
    inputs, targets = tokens[:-1], tokens[1:]

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(inputs), targets)  # mean over every position
        loss.backward()
        opt.step()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return dict(engine="pytorch", torch=torch.__version__, shape=args.shape, seq=args.seq, rank=args.rank,
                threads=torch.get_num_threads(), blas=blas_library(), trainable_params=sum(p.numel() for p in trainable),
                step_seconds=times, median_step_seconds=median, train_tokens_per_s=args.seq / median,
                mean_train_tokens_per_s=args.seq / statistics.mean(times))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shape", choices=sorted(SHAPES), default="SmolLM2-135M")
    p.add_argument("--seq", type=int, default=256, help="tokens per sequence")
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--alpha", type=float, default=16.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    p.add_argument("--steps", type=int, default=5, help="timed steps (the median is reported)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    # milp-lite flushes the subnormals its loss gradient produces; let PyTorch do the same.
    torch.set_flush_denormal(True)
    r = measure(args)
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(f"{r['shape']} F32 rank {r['rank']} seq {r['seq']}: {r['train_tokens_per_s']:.1f} train tokens/s "
          f"(median of {args.steps} steps, {r['median_step_seconds']:.2f} s/step; "
          f"torch {r['torch']}, {r['threads']} threads, {platform.machine()}; BLAS {r['blas']})")


if __name__ == "__main__":
    main()
