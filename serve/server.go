package serve

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/milp-lite/milp-lite/internal/filelock"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/store"
)

// Options configure a Server. Zero limits take the defaults of
// DefaultOptions.
type Options struct {
	Model     *nn.Model
	ModelName string      // what /v1/models and responses call it
	Store     milp.Store  // the folder of the default store (Data nil), which the server locks
	Data      store.Store // what the server keeps, when not the folder Store (a shared store)
	Queue     JobQueue    // where jobs go to workers; nil: the server runs them (TrainThreads)
	AdminKey  string      // "": a key-less server, which listens on loopback only

	Batch            nn.BatchOptions // the engine; Batch.Ctx is a request's context
	Setup            milp.Setup      // how jobs train
	MemoryK          int             // short-term exchanges retrieved into a chat prompt
	AdapterCache     int64           // bytes of adapters kept in memory
	TrainThreads     int             // jobs run at once
	MaxBodyBytes     int64           // a completion request's body
	MaxHistoryBytes  int64           // a history upload
	MaxAdapterBytes  int64           // an adapter upload
	MaxMessages      int             // messages a chat request holds
	MaxTokens        int             // a reply's tokens at most
	DefaultMaxTokens int             // a reply's tokens when the request does not say
	MaxQueue         int             // requests in flight before 429
	UserConcurrency  int             // one user's requests in flight before 429
	ReadTimeout      time.Duration
	WriteTimeout     time.Duration // of non-streaming responses; streams write as long as they generate
	IdleTimeout      time.Duration
	DrainTimeout     time.Duration // how long a shutdown lets streams finish
	Logger           *slog.Logger
	// Seeds gives a request that sends no seed its sampler's seed; nil:
	// the clock. Tests fix it, so that a sampled reply is the same on
	// every run.
	Seeds func() uint64
}

// DefaultOptions are the server's limits when a flag does not set them.
func DefaultOptions() Options {
	return Options{
		Batch: nn.BatchOptions{MaxSeqs: 16, StepTokens: 256, ChunkTokens: 128, KV: nn.KVF16}, Setup: milp.DefaultSetup(),
		MemoryK: 3, AdapterCache: 256 << 20, TrainThreads: 1,
		MaxBodyBytes: 1 << 20, MaxHistoryBytes: 32 << 20, MaxAdapterBytes: 512 << 20, MaxMessages: 256,
		MaxTokens: 1024, DefaultMaxTokens: 256, MaxQueue: 64, UserConcurrency: 4,
		ReadTimeout: 30 * time.Second, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, DrainTimeout: 30 * time.Second,
	}
}

// Server answers every user of one model with their own memories.
type Server struct {
	opts     Options
	model    *nn.Model
	data     store.Store
	adminKey string
	log      *slog.Logger
	started  time.Time

	engine   *engine
	prompter *prompter
	adapters *adapterCache
	jobs     *jobRunner
	limits   *userSlots
	metrics  *serverMetrics
	lock     *filelock.Lock // on the folder store (nil for a shared one)

	stopJobs context.CancelFunc
	stopEng  context.CancelFunc
	engDone  chan struct{}
}

// ErrStoreHeld is wrapped when another server holds the store.
var ErrStoreHeld = errors.New("the store is held by another milp-lite server")

// New opens the store (taking its lock: the server is its one writer),
// starts the engine and resumes the jobs a previous run left.
func New(o Options) (*Server, error) {
	d := DefaultOptions()
	fill(&o.MemoryK, d.MemoryK)
	fill(&o.AdapterCache, d.AdapterCache)
	fill(&o.TrainThreads, d.TrainThreads)
	fill(&o.MaxBodyBytes, d.MaxBodyBytes)
	fill(&o.MaxHistoryBytes, d.MaxHistoryBytes)
	fill(&o.MaxAdapterBytes, d.MaxAdapterBytes)
	fill(&o.MaxMessages, d.MaxMessages)
	fill(&o.MaxTokens, d.MaxTokens)
	fill(&o.DefaultMaxTokens, d.DefaultMaxTokens)
	fill(&o.MaxQueue, d.MaxQueue)
	fill(&o.UserConcurrency, d.UserConcurrency)
	fill(&o.DrainTimeout, d.DrainTimeout)
	if o.Setup.Recipe.Epochs == 0 {
		o.Setup = d.Setup
	}
	if o.Batch.Ctx <= 0 {
		o.Batch.Ctx = min(o.Model.Config.ContextLen, 4096)
	}
	fill(&o.Batch.MaxSeqs, d.Batch.MaxSeqs)
	if o.Batch.KVBytes <= 0 {
		o.Batch.KVBytes = KVBudget(o.Model, o.Batch)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ModelName == "" {
		o.ModelName = o.Model.Config.Name
	}
	s := &Server{opts: o, model: o.Model, data: o.Data, adminKey: o.AdminKey, log: o.Logger, started: time.Now(),
		limits: &userSlots{max: o.UserConcurrency, used: map[string]int{}}}
	if s.data == nil {
		if err := filepathMkdir(o.Store.Root); err != nil {
			return nil, err
		}
		lock, err := filelock.TryLock(ServerLockPath(o.Store.Root))
		if err != nil {
			return nil, fmt.Errorf("%w (%s): %v", ErrStoreHeld, o.Store.Root, err)
		}
		s.lock = lock
		if s.data, err = store.OpenDir(o.Store.Root); err != nil {
			lock.Unlock()
			return nil, err
		}
	}
	fail := func(err error) (*Server, error) {
		if s.lock != nil {
			s.lock.Unlock()
		}
		return nil, err
	}
	var err error
	if s.prompter, err = newPrompter(o.Model); err != nil {
		s.log.Warn("the model's chat template is unusable; chats use plain User:/Assistant: lines", "err", err)
	}
	if s.engine, err = newEngine(o.Model, o.Batch); err != nil {
		return fail(err)
	}
	s.adapters = newAdapterCache(o.Model, s.data, o.AdapterCache)
	s.metrics = newServerMetrics(func() float64 { return float64(s.engine.load()) },
		func() float64 { b, _ := s.adapters.stats(); return float64(b) })
	s.adapters.hits, s.adapters.misses = s.metrics.cacheHits.Inc, s.metrics.cacheMisses.Inc
	s.engine.onStep = func(rows, active int) {
		if rows > 0 {
			s.metrics.batchRows.Observe(float64(rows))
		}
		s.metrics.active.Set(float64(active))
	}
	if s.jobs, err = newJobRunner(s); err != nil {
		return fail(err)
	}
	var engCtx, jobCtx context.Context
	engCtx, s.stopEng = context.WithCancel(context.Background())
	jobCtx, s.stopJobs = context.WithCancel(context.Background())
	s.engDone = make(chan struct{})
	go func() { s.engine.run(engCtx); close(s.engDone) }()
	s.jobs.start(jobCtx, o.TrainThreads)
	return s, nil
}

// ServerLockPath is the lock a server holds on its store; the command
// line's writers try it to learn whether a server runs there.
func ServerLockPath(root string) string { return filepath.Join(root, "server.lock") }

func fill[T int | int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// handler is one endpoint: it returns an error to send as OpenAI's error JSON.
type handler func(w http.ResponseWriter, r *http.Request, c caller) error

//go:embed page
var pageFiles embed.FS

// Handler is the server's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h handler) {
		mux.Handle(pattern, s.wrap(pattern, h))
	}
	api("POST /v1/chat/completions", s.handleChat)
	api("POST /v1/completions", s.handleCompletions)
	api("GET /v1/models", s.handleModels)
	api("POST /v1/users", s.handleCreateUser)
	api("GET /v1/users/{id}", s.handleGetUser)
	api("DELETE /v1/users/{id}", s.handleDeleteUser)
	api("POST /v1/users/{id}/history", s.handleAddHistory)
	api("PUT /v1/users/{id}/adapter", s.handlePutAdapter)
	api("POST /v1/users/{id}/keys", s.handleNewKey)
	api("POST /v1/users/{id}/jobs", s.handleStartJob)
	api("GET /v1/jobs/{job}", s.handleGetJob)
	api("GET /v1/me", s.handleMe)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "in_flight": s.engine.load(), "model": s.opts.ModelName})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	page, _ := fs.Sub(pageFiles, "page")
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.ServeFileFS(w, r, page, "index.html") })
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(page)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, notFound("no endpoint %s %s", r.Method, cut(r.URL.Path, 100)))
	})
	return mux
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap authenticates, recovers a panic into a 500 and a log line, and logs
// and counts every request.
func (s *Server) wrap(pattern string, h handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w := &statusWriter{ResponseWriter: rw}
		var c caller
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "path", pattern, "panic", p, "stack", string(debug.Stack()))
				if w.status == 0 {
					writeError(w, internal(fmt.Errorf("%v", p)))
				}
			}
			status := w.status
			if status == 0 {
				status = http.StatusOK
			}
			s.metrics.requests.WithLabelValues(pattern, strconv.Itoa(status)).Inc()
			s.metrics.latencySecs.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
			if status >= 400 {
				s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status, "ms", time.Since(start).Milliseconds())
			}
		}()
		var aerr *apiError
		if c, aerr = s.authenticate(r); aerr != nil {
			writeError(w, aerr)
			return
		}
		if err := h(w, r, c); err != nil {
			if w.status != 0 {
				// A stream already started: the client sees the stream end.
				if !errors.Is(err, context.Canceled) {
					s.log.Warn("stream ended early", "path", r.URL.Path, "err", err)
				}
				return
			}
			writeError(w, err)
		}
	})
}

// record logs a completion and counts its tokens.
func (s *Server) record(r *http.Request, user string, version, prompt, completion int) {
	s.metrics.tokens.WithLabelValues("prompt").Add(float64(prompt))
	s.metrics.tokens.WithLabelValues("completion").Add(float64(completion))
	s.log.Info("completion", "path", r.URL.Path, "user", user, "adapter_version", version, "prompt_tokens", prompt, "completion_tokens", completion)
}

// Serve answers on l until ctx ends, then drains: it stops accepting, lets
// streams finish up to DrainTimeout (then cancels them), stops the jobs
// after their current step of work, and releases the store.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	if s.keyless() && !isLoopback(l.Addr()) {
		return fmt.Errorf("refusing to listen on %s without keys: set MILP_ADMIN_KEY (or --admin-key-file), or listen on 127.0.0.1", l.Addr())
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: s.opts.ReadTimeout,
		IdleTimeout: s.opts.IdleTimeout, MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.log.Info("draining", "in_flight", s.engine.load(), "deadline", s.opts.DrainTimeout)
	dctx, cancel := context.WithTimeout(context.Background(), s.opts.DrainTimeout)
	defer cancel()
	err := hs.Shutdown(dctx)
	if errors.Is(err, context.DeadlineExceeded) {
		hs.Close()
		err = nil
	}
	s.Close()
	return err
}

// Close stops the engine and the jobs and releases the store's lock.
func (s *Server) Close() {
	if s.stopEng == nil {
		return
	}
	s.stopJobs()
	s.stopEng()
	<-s.engDone
	s.jobs.wait()
	if s.lock != nil {
		s.lock.Unlock()
	}
	s.stopEng = nil
}

// isLoopback reports whether a listener's address is on the loopback network.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
