package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/serve"
)

func serveCommand() *cli.Command {
	d := serve.DefaultOptions()
	return &cli.Command{
		Name:  "serve",
		Usage: "answer every user with their own memories over an OpenAI-compatible HTTP API",
		Description: "One model (--model, or the embedded one), every user's adapter and short-term memory (--store).\n" +
			"POST /v1/chat/completions answers as the user of the API key (or, on a key-less loopback server, the\n" +
			"request's \"user\") with their adapter and the short-term memories BM25 retrieves for the last message,\n" +
			"then remembers the exchange, as `milp-lite chat --user` does. Requests advance together in one batch.\n" +
			"Users, keys, history, adapters and jobs live under /v1/users; GET /metrics, GET /health; a chat page at /.\n\n" +
			"Keys: the admin key comes from $MILP_ADMIN_KEY or --admin-key-file; POST /v1/users returns a user's key\n" +
			"once (also `milp-lite users add-key ID`). Without an admin key the server listens on loopback only.\n\n" +
			"Many nodes: with --nats the store is shared through NATS JetStream (see `milp-lite nats` and\n" +
			"docs/deploy.md); any node answers any user, and jobs go to `milp-lite worker` processes.\n\n" +
			"Examples:\n" +
			"   milp-lite serve                                   # the embedded model on 127.0.0.1:8080\n" +
			"   MILP_ADMIN_KEY=$(cat admin.key) milp-lite serve --model smollm2.gguf --addr 0.0.0.0:8080\n" +
			"   MILP_ADMIN_KEY=$(cat admin.key) milp-lite serve --nats nats://n1:4222,nats://n2:4222 --replicas 3",
		Flags: append([]cli.Flag{
			modelFlag,
			storeFlag,
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "`HOST:PORT` to listen on"},
			&cli.StringFlag{Name: "admin-key-file", Usage: "`FILE` holding the admin key (else $MILP_ADMIN_KEY)"},
			intFlag("ctx", 0, 0, math.MaxInt, "a request's context in tokens (0: the model's, at most 4096)"),
			intFlag("max-seqs", d.Batch.MaxSeqs, 1, 4096, "sequences the engine advances at once"),
			intFlag("step-tokens", d.Batch.StepTokens, 1, 1<<16, "token rows one engine step runs at most"),
			intFlag("chunk", d.Batch.ChunkTokens, 1, 1<<16, "prompt tokens one request feeds per step at most"),
			generatingStepFlag,
			stepTimeFlag,
			servingKVFlag,
			intFlag("memory-k", d.MemoryK, 0, 100, "short-term exchanges retrieved into a chat prompt"),
			&cli.StringFlag{Name: "adapter-cache", Value: "256MiB", Usage: "`SIZE` of the adapters kept in memory"},
			intFlag("train-threads", d.TrainThreads, 1, 64, "jobs that train at once"),
			intFlag("max-tokens", d.MaxTokens, 1, math.MaxInt, "a reply's tokens at most (requests asking more are clipped)"),
			intFlag("default-max-tokens", d.DefaultMaxTokens, 1, math.MaxInt, "a reply's tokens when the request does not say"),
			intFlag("max-messages", d.MaxMessages, 1, 1<<20, "messages one chat request may hold"),
			&cli.StringFlag{Name: "max-body", Value: "1MiB", Usage: "`SIZE` of a completion request's body at most"},
			intFlag("max-queue", d.MaxQueue, 1, 1<<20, "requests in flight before new ones get 429"),
			intFlag("user-concurrency", d.UserConcurrency, 1, 1<<20, "one user's requests in flight before 429"),
			durationFlag("read-timeout", d.ReadTimeout, 0, 24*time.Hour, "time to read a request"),
			durationFlag("idle-timeout", d.IdleTimeout, 0, 24*time.Hour, "time an idle connection is kept"),
			durationFlag("drain-timeout", d.DrainTimeout, 0, time.Hour, "on SIGTERM, time streams get to finish"),
			&cli.BoolFlag{Name: "log-json", Usage: "log as JSON lines instead of text"},
		}, natsFlags(false)...),
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments (got %q)", c.Args().First())
	}
	cacheBytes, err := humanize.ParseBytes(c.String("adapter-cache"))
	if err != nil {
		return fmt.Errorf("--adapter-cache: %v", err)
	}
	maxBody, err := humanize.ParseBytes(c.String("max-body"))
	if err != nil || maxBody == 0 {
		return fmt.Errorf("--max-body %q is not a size like 1MiB", c.String("max-body"))
	}
	adminKey := os.Getenv("MILP_ADMIN_KEY")
	if f := c.String("admin-key-file"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		adminKey = strings.TrimSpace(string(data))
	}
	if adminKey != "" && len(adminKey) < 16 {
		return fmt.Errorf("the admin key is %d characters: use at least 16 (e.g. openssl rand -hex 24)", len(adminKey))
	}
	if c.IsSet("nats") && c.IsSet(storeFlag.Name) {
		return fmt.Errorf("--store and --nats name two stores: give one")
	}
	logger := newLogger(c)
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	o := serve.DefaultOptions()
	o.Model, o.ModelName, o.Store, o.AdminKey, o.Logger = m, modelName(c), storeOf(c), adminKey, logger
	o.Batch.Ctx, o.Batch.MaxSeqs, o.Batch.StepTokens, o.Batch.ChunkTokens = c.Int("ctx"), c.Int("max-seqs"), c.Int("step-tokens"), c.Int("chunk")
	o.Batch.GeneratingStepTokens, o.Batch.StepTime = c.Int(generatingStepFlag.Name), c.Duration(stepTimeFlag.Name)
	if o.Batch.KV, err = nn.ParseKVType(c.String(servingKVFlag.Name)); err != nil {
		return fmt.Errorf("--%s: %w", servingKVFlag.Name, err)
	}
	o.MemoryK, o.AdapterCache, o.TrainThreads = c.Int("memory-k"), int64(cacheBytes), c.Int("train-threads")
	o.MaxTokens, o.DefaultMaxTokens, o.MaxMessages, o.MaxBodyBytes = c.Int("max-tokens"), c.Int("default-max-tokens"), c.Int("max-messages"), int64(maxBody)
	o.MaxQueue, o.UserConcurrency = c.Int("max-queue"), c.Int("user-concurrency")
	o.ReadTimeout, o.IdleTimeout, o.DrainTimeout = c.Duration("read-timeout"), c.Duration("idle-timeout"), c.Duration("drain-timeout")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	where := o.Store.Root
	if c.IsSet("nats") {
		st, err := connectStore(ctx, c, "serve")
		if err != nil {
			return err
		}
		defer st.Close()
		o.Data, o.Queue, where = st, st, c.String("nats")
	}
	l, err := net.Listen("tcp", c.String("addr"))
	if err != nil {
		return err
	}
	s, err := serve.New(o)
	if err != nil {
		l.Close()
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(s.HeapLimit())
	}
	mode := "keys required"
	if adminKey == "" {
		mode = "key-less (loopback only)"
	}
	logger.Info("serving", "addr", l.Addr().String(), "model", o.ModelName, "store", where, "auth", mode)
	fmt.Fprintf(os.Stderr, "milp-lite serve: http://%s/ (%s)\n", l.Addr(), mode)
	return s.Serve(ctx, l)
}
