package main

import (
	"time"

	"github.com/milp-lite/milp-lite/nn"
)

// generatingStepFlag bounds the batch engine's steps while replies stream
// (serve, bench serve): the knob between inter-token latency and how fast
// newly arrived prompts are read.
var generatingStepFlag = intFlag("generating-step-tokens", nn.DefaultGeneratingStep, 1, 1<<16,
	"token rows a step runs at most while any reply is streaming: prompts arriving then are fed in pieces, so each stream's gap between tokens stays short (larger: new prompts read faster, streams stutter more)")

// stepTimeFlag paces the batch engine's steps by time while replies stream
// (serve, bench serve).
var stepTimeFlag = durationFlag("step-time", 0, 0, time.Minute,
	"while replies stream, the target duration of a step that also reads prompts: the prompts' rows follow the measured step times, so each stream's gap between tokens stays near it whatever the model, machine or context length, at the cost of new prompts waiting longer for their first token (0: bound steps by --generating-step-tokens alone)")
