package main

import (
	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/nn"
)

// kvFlag chooses how the KV cache is stored (chat, bench).
var kvFlag = &cli.StringFlag{Name: "kv", Value: "f32", Usage: kvUsage}

// servingKVFlag is kvFlag for many users at once (serve, bench serve), in
// halves by default: every generating user's attention reads their whole
// cache each step, so halves make the largest read of a step half as large.
var servingKVFlag = &cli.StringFlag{Name: "kv", Value: "f16", Usage: kvUsage}

const kvUsage = "KV cache `TYPE`: f32; f16 (half the memory and the bytes read per token deep into a conversation, as llama.cpp's default); or q8 (bytes and a scale per row: about half of f16's, as llama.cpp's q8_0, at a small accuracy cost, measured in docs/performance.md)"

// stateOptions reads --kv.
func stateOptions(c *cli.Context) (nn.StateOptions, error) {
	kv, err := nn.ParseKVType(c.String("kv"))
	return nn.StateOptions{KV: kv}, err
}
