package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/sample"
)

func chatCommand() *cli.Command {
	return &cli.Command{
		Name:  "chat",
		Usage: "talk to a model, or continue a prompt with -p",
		Description: "With -p, generates one reply (or, for a model without a chat template such as the embedded\n" +
			"stories260K, prints the prompt and its continuation) and exits. Without -p, starts an interactive\n" +
			"chat: type a message and press Enter; /reset starts over, /exit or Ctrl-D quits, Ctrl-C stops a reply\n" +
			"(and at the prompt quits with status 130). On a terminal the line can be edited (arrows, Home/End,\n" +
			"Ctrl-A/E/K/U/W) and Up/Down go through earlier lines, kept per user in the store: <store>/<user>/chat_history\n" +
			"with --user, <store>/.chat_history without (the newest 1000 lines).\n\n" +
			"Examples:\n" +
			"   milp-lite chat -p \"Once upon a time\" --temp 0 -n 200\n" +
			"   milp-lite chat --model qwen2.5-0.5b-instruct-q8_0.gguf --system \"You are terse.\"\n" +
			"   milp-lite chat --user spc-216baf81     # after `milp-lite train`: the user's personalised model",
		Flags: []cli.Flag{
			modelFlag,
			&cli.StringFlag{Name: "prompt", Aliases: []string{"p"}, Usage: "one-shot `PROMPT`: generate, print and exit"},
			&cli.StringFlag{Name: "system", Usage: "system `PROMPT` for models with a chat template"},
			intFlag("n", 256, 1, 1<<20, "at most `N` tokens per reply"),
			intFlag("ctx", 0, 0, math.MaxInt, "context length in tokens, at most the model's (0: the model's, at most 4096)"),
			kvFlag,
			floatFlag("temp", 0.8, bounds{lo: 0, hi: 100}, "sampling temperature; 0 is greedy"),
			intFlag("top-k", 40, 0, math.MaxInt, "sample among the `K` most likely tokens (0: all)"),
			floatFlag("top-p", 0.95, bounds{lo: 0, hi: 1, loOpen: true}, "nucleus sampling: smallest set with this total probability (1: off)"),
			floatFlag("min-p", 0.05, bounds{lo: 0, hi: 1, hiOpen: true}, "drop tokens less likely than this fraction of the most likely (0: off)"),
			floatFlag("repeat-penalty", 1.0, bounds{lo: 0, hi: 100, loOpen: true}, "penalise recently seen tokens (1: off)"),
			int64Flag("seed", -1, -1, math.MaxInt64, "random seed for reproducible sampling (-1: from the clock)"),
			&cli.StringFlag{Name: "user", Usage: "talk as user `ID` with their memories: the long-term adapter and the\n\tshort-term store, which the chat extends (see `milp-lite train`)"},
			storeFlag,
			intFlag("memory-k", 3, 0, 100, "with --user: short-term exchanges retrieved into the prompt"),
			&cli.StringSliceFlag{Name: "adapter", Usage: "LoRA adapter `FILE[:SCALE]` to apply: a GGUF or a PEFT directory (repeatable; scale 1 by default)"},
		},
		Action: runChat,
	}
}

func samplingParams(c *cli.Context) (sample.Params, error) {
	p := sample.Params{
		Temperature:   float32(c.Float64("temp")),
		TopK:          c.Int("top-k"),
		TopP:          float32(c.Float64("top-p")),
		MinP:          float32(c.Float64("min-p")),
		RepeatPenalty: float32(c.Float64("repeat-penalty")),
		RepeatLastN:   64,
	}
	switch {
	case p.Temperature < 0:
		return p, fmt.Errorf("--temp must be ≥ 0, got %g", p.Temperature)
	case p.TopK < 0:
		return p, fmt.Errorf("--top-k must be ≥ 0, got %d", p.TopK)
	case p.TopP <= 0 || p.TopP > 1:
		return p, fmt.Errorf("--top-p must be in (0, 1], got %g", p.TopP)
	case p.MinP < 0 || p.MinP >= 1:
		return p, fmt.Errorf("--min-p must be in [0, 1), got %g", p.MinP)
	case p.RepeatPenalty <= 0:
		return p, fmt.Errorf("--repeat-penalty must be > 0, got %g", p.RepeatPenalty)
	}
	seed := c.Int64("seed")
	if seed < 0 {
		seed = time.Now().UnixNano() & (1<<62 - 1)
	}
	p.Seed = uint64(seed)
	return p, nil
}

// contextLength resolves --ctx: 0 means the model's context, capped so a
// model trained for 128K tokens does not reserve gigabytes of KV cache.
func contextLength(c *cli.Context, m *nn.Model) (int, error) {
	ctx := c.Int("ctx")
	if ctx < 0 {
		return 0, fmt.Errorf("--ctx must be ≥ 0, got %d", ctx)
	}
	if ctx == 0 {
		ctx = min(m.Config.ContextLen, 4096)
	}
	if ctx > m.Config.ContextLen {
		return 0, fmt.Errorf("--ctx %d is longer than the model's context of %d tokens", ctx, m.Config.ContextLen)
	}
	return ctx, nil
}

func runChat(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("chat takes no arguments (got %q); use -p for a prompt", c.Args().First())
	}
	if c.Int("n") < 1 {
		return fmt.Errorf("-n must be ≥ 1, got %d", c.Int("n"))
	}
	params, err := samplingParams(c)
	if err != nil {
		return err
	}
	if c.IsSet("user") {
		if err := userForWriting(c); err != nil {
			return err
		}
	}
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	ctx, err := contextLength(c, m)
	if err != nil {
		return err
	}
	conv, plainText, err := openConversation(c, m, ctx, params)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	emit := func(text string) bool {
		out.WriteString(text)
		out.Flush()
		return true
	}
	if c.IsSet("prompt") {
		prompt := c.String("prompt")
		if plainText {
			emit(prompt) // a continuation reads on from its prompt, as llama.cpp prints it
		}
		_, err := conv.Send(prompt, emit)
		out.WriteString("\n")
		return err
	}
	mode := "chat template"
	switch {
	case c.IsSet("user"):
		mode = "as " + c.String("user") + ", with their long- and short-term memory"
	case plainText:
		mode = "no chat template: your text is continued"
	}
	return repl(conv, mode, newLineReader(os.Stdin, os.Stdout, chatHistoryPath(c)), out)
}

// chatHistoryPath is where the prompt's line history is kept: in the
// user's folder of the store for --user, else in the store's root (a
// hidden name, which no user ID can take).
func chatHistoryPath(c *cli.Context) string {
	st := storeOf(c)
	if c.IsSet("user") {
		return filepath.Join(st.UserDir(c.String("user")), "chat_history")
	}
	return filepath.Join(st.Root, ".chat_history")
}

// conversation is what the chat command talks to: a plain session, or a
// user's personalised one.
type conversation interface {
	Send(text string, emit func(string) bool) (string, error)
	Reset()
}

// sessionConversation adapts nn.Session, noting when the context filled.
type sessionConversation struct{ *nn.Session }

func (s sessionConversation) Send(text string, emit func(string) bool) (string, error) {
	reply, reason, err := s.Session.Send(text, emit)
	if err == nil && reason == nn.StopContextFull {
		err = fmt.Errorf("context full: /reset to start over")
	}
	return reply, err
}

// openConversation builds the chat's conversation from the flags. plainText
// is true when the model continues text rather than chatting.
func openConversation(c *cli.Context, m *nn.Model, ctx int, params sample.Params) (conversation, bool, error) {
	adapters, err := loadAdapters(c.StringSlice("adapter"), m)
	if err != nil {
		return nil, false, err
	}
	state, err := stateOptions(c)
	if err != nil {
		return nil, false, err
	}
	if c.IsSet("user") {
		if state.KV != nn.KVF32 {
			return nil, false, fmt.Errorf("--kv %s: a --user chat keeps the float32 cache", state.KV)
		}
		id := c.String("user")
		uc, err := milp.OpenUserChat(m, storeOf(c), id, ctx, params, c.Int("n"), c.Int("memory-k"))
		if err != nil {
			return nil, false, err
		}
		if len(adapters) > 0 {
			return nil, false, fmt.Errorf("--user brings its own adapter; do not combine it with --adapter")
		}
		uc.Warn = func(msg string) { fmt.Fprintf(os.Stderr, "warning: %s\n", msg) }
		warnTemplate(uc.Session)
		if !uc.HasAdapter {
			fmt.Fprintf(os.Stderr, "(user %s has no long-term memory yet: only short-term memory is used)\n", id)
		}
		return uc, false, nil
	}
	sess, err := nn.NewSessionWith(m, ctx, state, params, c.String("system"), c.Int("n"))
	if err != nil {
		return nil, false, err
	}
	warnTemplate(sess)
	sess.TrimToFit = true // a long chat forgets its oldest turns rather than stopping
	sess.State.SetAdapters(adapters...)
	return sessionConversation{sess}, sess.Template == nil, nil
}

// warnTemplate says, in one line, why the model's chat template is not
// used (a syntax error or an exceeded limit); the chat goes on as for a
// model without a template.
func warnTemplate(s *nn.Session) {
	if s.TemplateErr != nil {
		fmt.Fprintf(os.Stderr, "warning: %v; chatting in plain text instead\n", s.TemplateErr)
	}
}

// loadAdapters reads --adapter FILE[:SCALE] values (see loadLoRAs).
func loadAdapters(specs []string, m *nn.Model) ([]nn.Adapter, error) {
	as, err := loadLoRAs(specs, m)
	out := make([]nn.Adapter, len(as))
	for i, a := range as {
		out[i] = a
	}
	return out, err
}

// repl reads messages line by line until /exit or end of input. Ctrl-C at
// the prompt ends the chat with errInterrupted (exit status 130); during a
// reply, it stops the reply.
func repl(sess conversation, mode string, lines lineReader, out *bufio.Writer) error {
	var interrupted atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	generating := atomic.Bool{}
	go func() {
		for range sig {
			if !generating.Load() { // at the prompt of a chat read from a pipe
				fmt.Fprintln(os.Stderr)
				os.Exit(130)
			}
			interrupted.Store(true)
		}
	}()
	fmt.Fprintf(out, "milp-lite chat (%s). /reset starts over, /exit or Ctrl-D quits, Ctrl-C stops a reply.\n", mode)
	for {
		out.Flush()
		line, err := lines.ReadLine("> ")
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line = strings.TrimSpace(line)
		switch line {
		case "":
			continue
		case "/exit", "/quit":
			return nil
		case "/reset":
			sess.Reset()
			out.WriteString("(conversation reset)\n")
			continue
		}
		interrupted.Store(false)
		generating.Store(true)
		_, err = sess.Send(line, func(text string) bool {
			out.WriteString(text)
			out.Flush()
			return !interrupted.Load()
		})
		generating.Store(false)
		out.WriteString("\n")
		if err != nil {
			fmt.Fprintf(out, "(%v)\n", err)
		}
	}
}
