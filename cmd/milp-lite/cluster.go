package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/natsnode"
	"github.com/milp-lite/milp-lite/store/natsstore"
	"github.com/milp-lite/milp-lite/worker"
)

// natsFlags say where the shared store is, for serve and worker.
func natsFlags(required bool) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "nats", Required: required, Usage: "`URL[,URL…]` of the NATS servers (with JetStream) holding the shared store"},
		intFlag("replicas", 1, 1, 5, "copies of each bucket and stream the store creates (3 on a cluster of three or more)"),
	}
}

// connectStore opens the shared store of --nats.
func connectStore(ctx context.Context, c *cli.Context, role string) (*natsstore.Store, error) {
	host, _ := os.Hostname()
	return natsstore.Connect(ctx, c.String("nats"), natsstore.Options{Replicas: c.Int("replicas"), Name: "milp-lite " + role + " " + host})
}

func newLogger(c *cli.Context) *slog.Logger {
	if c.Bool("log-json") {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

func workerCommand() *cli.Command {
	d := milp.DefaultSetup()
	return &cli.Command{
		Name:  "worker",
		Usage: "train users' personalisation and consolidation jobs from a NATS JetStream queue",
		Description: "Serve nodes started with --nats queue the jobs their users start (POST /v1/users/{id}/jobs); each\n" +
			"worker pulls one at a time, trains it against the shared store, and acknowledges it only once the\n" +
			"adapter and report are stored. While it trains it renews its lease every --lease/3; a worker that\n" +
			"dies stops renewing, and after --lease the job goes to another worker, which resumes it from the\n" +
			"search journal in the store (finished trials are not run again). A job publishes one adapter version.\n\n" +
			"Examples:\n" +
			"   milp-lite worker --nats nats://127.0.0.1:4222\n" +
			"   milp-lite worker --nats nats://n1:4222,nats://n2:4222,nats://n3:4222 --replicas 3 --model smollm2.gguf",
		Flags: append(append([]cli.Flag{
			modelFlag,
			&cli.StringFlag{Name: "name", Usage: "`NAME` of this worker in job records (default: host and process ID)"},
			durationFlag("lease", 30*time.Second, time.Second, time.Hour, "time a silent worker keeps a job before another takes it"),
			intFlag("init", d.Search.InitialTrials, 1, 10000, "space-filling trials before the Gaussian process takes over"),
			intFlag("val-turns", d.ValTurns, 1, math.MaxInt, "validation turns each trial is scored on"),
			intFlag("test-turns", d.TestTurns, 1, math.MaxInt, "test turns the scores before and after use"),
			&cli.BoolFlag{Name: "log-json", Usage: "log as JSON lines instead of text"},
		}, natsFlags(true)...), recipeFlags(false)...),
		Action: runWorker,
	}
}

func runWorker(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("worker takes no arguments (got %q)", c.Args().First())
	}
	logger := newLogger(c)
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	setup := milp.DefaultSetup()
	if setup.Recipe, err = recipeFrom(c, m); err != nil {
		return err
	}
	setup.Search.InitialTrials, setup.ValTurns, setup.TestTurns = c.Int("init"), c.Int("val-turns"), c.Int("test-turns")
	if err := setup.Validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := connectStore(ctx, c, "worker")
	if err != nil {
		return err
	}
	defer st.Close()
	lease := c.Duration("lease")
	q, err := st.Workers(ctx, lease)
	if err != nil {
		return err
	}
	name := c.String("name")
	if name == "" {
		host, _ := os.Hostname()
		name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	tr := &worker.Trainer{Model: m, ModelName: modelName(c), Setup: setup, Store: st, Node: name, Log: logger}
	logger.Info("worker pulling jobs", "nats", c.String("nats"), "name", name, "lease", lease)
	fmt.Fprintf(os.Stderr, "milp-lite worker %s: pulling jobs from %s\n", name, c.String("nats"))
	return tr.Pull(ctx, q, lease/3)
}

func natsCommand() *cli.Command {
	return &cli.Command{
		Name:  "nats",
		Usage: "run an embedded NATS server with JetStream, alone or as one node of a cluster",
		Description: "So the cluster mode can be tried with nothing else installed: serve nodes and workers connect\n" +
			"to it with --nats. In production, point them at your own NATS (2.10 or later, JetStream enabled).\n" +
			"A cluster of three: run one on each machine, each naming the others' --cluster addresses in --routes,\n" +
			"and give serve and worker --replicas 3.\n\n" +
			"Examples:\n" +
			"   milp-lite nats --addr 127.0.0.1:4222 --store ./nats\n" +
			"   milp-lite nats --addr 0.0.0.0:4222 --store /var/lib/milp-nats --name n1 --cluster 0.0.0.0:6222 \\\n" +
			"       --routes nats://n2:6222,nats://n3:6222",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:4222", Usage: "`HOST:PORT` for clients"},
			&cli.StringFlag{Name: "store", Required: true, Usage: "`DIR` where JetStream keeps its data"},
			&cli.StringFlag{Name: "name", Usage: "`NAME` of this node, unique in its cluster (default: from --addr)"},
			&cli.StringFlag{Name: "cluster", Usage: "`HOST:PORT` the other nodes of a cluster connect to"},
			&cli.StringFlag{Name: "routes", Usage: "`nats://HOST:PORT,…` the other nodes' --cluster addresses"},
			&cli.BoolFlag{Name: "log", Usage: "the server's own log on stderr"},
		},
		Action: runNATS,
	}
}

func runNATS(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("nats takes no arguments (got %q)", c.Args().First())
	}
	o := natsnode.Options{Addr: c.String("addr"), StoreDir: c.String("store"), Name: c.String("name"), Cluster: c.String("cluster"), Logs: c.Bool("log")}
	if r := c.String("routes"); r != "" {
		o.Routes = strings.Split(r, ",")
	}
	if err := os.MkdirAll(o.StoreDir, 0o755); err != nil {
		return err
	}
	ns, err := natsnode.Start(o)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mode := "a single node"
	if o.Cluster != "" {
		mode = "cluster node " + ns.Name() + " on " + o.Cluster
	}
	fmt.Fprintf(os.Stderr, "milp-lite nats: %s (JetStream in %s; %s)\n", ns.ClientURL(), o.StoreDir, mode)
	<-ctx.Done()
	ns.Shutdown()
	ns.WaitForShutdown()
	return nil
}
