package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
	"github.com/milp-lite/milp-lite/store"
)

func embeddedModel(t testing.TB) *nn.Model { return testmodel.Default(t) }

// testServer is a server on a loopback port.
type testServer struct {
	*Server
	url   string
	store milp.Store
	stop  func()
}

// startServer serves a fresh store; adminKey "" makes it key-less.
func startServer(t testing.TB, adminKey string, tweak func(*Options)) *testServer {
	t.Helper()
	o := DefaultOptions()
	o.Model, o.ModelName, o.Store, o.AdminKey = embeddedModel(t), "stories260K", milp.Store{Root: t.TempDir()}, adminKey
	o.Logger = discardLogger()
	o.Setup.Recipe.Epochs = 1
	if tweak != nil {
		tweak(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	ts := &testServer{Server: s, url: "http://" + l.Addr().String(), store: o.Store}
	ts.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(func() {
		if ts.stop != nil {
			ts.stop()
		}
	})
	return ts
}

// client is the official OpenAI Go client pointed at the server.
func (ts *testServer) client(key string) openai.Client {
	opts := []option.RequestOption{option.WithBaseURL(ts.url + "/v1/"), option.WithMaxRetries(0)}
	if key != "" {
		opts = append(opts, option.WithAPIKey(key))
	} else {
		opts = append(opts, option.WithAPIKey(""), option.WithHeaderDel("Authorization"))
	}
	return openai.NewClient(opts...)
}

// call sends a raw request and decodes the JSON answer into out (if not nil).
func (ts *testServer) call(t testing.TB, method, path, key string, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, data)
		}
	}
	if resp.StatusCode >= 400 {
		var e struct {
			Error struct{ Message, Type string } `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error.Message == "" || e.Error.Type == "" {
			t.Fatalf("%s %s: %d without OpenAI's error JSON: %s", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode
}

// createUser makes a user with the admin key and returns their key.
func (ts *testServer) createUser(t testing.TB, admin, id string) string {
	t.Helper()
	var out struct {
		Key string `json:"api_key"`
	}
	if code := ts.call(t, "POST", "/v1/users", admin, fmt.Sprintf(`{"id": %q}`, id), &out); code != http.StatusCreated || out.Key == "" {
		t.Fatalf("create user %s: %d %+v", id, code, out)
	}
	return out.Key
}

// milpOf reads a completion's milp object from its raw JSON.
func milpOf(t testing.TB, raw string) milpInfo {
	t.Helper()
	var v struct {
		Milp *milpInfo `json:"milp"`
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil || v.Milp == nil {
		t.Fatalf("no milp object in %s", raw)
	}
	return *v.Milp
}

// TestOpenAIClientChat: the official client gets a completion and a stream,
// with usage, the milp object and the adapter version header.
func TestOpenAIClientChat(t *testing.T) {
	ts := startServer(t, "", nil)
	ts.createUser(t, "", "alice")
	c := ts.client("")
	ctx := context.Background()
	var resp *http.Response
	comp, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: "stories260K", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Once upon a time")},
		MaxTokens: openai.Int(12), Temperature: openai.Float(0), User: openai.String("alice"),
	}, option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if len(comp.Choices) != 1 || comp.Choices[0].Message.Content == "" || comp.Usage.CompletionTokens < 1 || comp.Usage.PromptTokens < 1 {
		t.Fatalf("completion: %+v", comp)
	}
	if resp.Header.Get("X-Milp-Adapter-Version") != "0" || milpOf(t, comp.RawJSON()).User != "alice" {
		t.Fatalf("header %q, raw %s", resp.Header.Get("X-Milp-Adapter-Version"), comp.RawJSON())
	}
	// Greedy replies are reproducible, and the stream says the same.
	stream := c.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "stories260K", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Once upon a time")},
		MaxTokens: openai.Int(12), Temperature: openai.Float(0),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var text strings.Builder
	chunks, finish := 0, ""
	var u openai.CompletionUsage
	for stream.Next() {
		ch := stream.Current()
		if chunks == 0 {
			milpOf(t, ch.RawJSON())
		}
		chunks++
		for _, choice := range ch.Choices {
			text.WriteString(choice.Delta.Content)
			if choice.FinishReason != "" {
				finish = choice.FinishReason
			}
		}
		if ch.Usage.TotalTokens > 0 {
			u = ch.Usage
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if text.String() != comp.Choices[0].Message.Content || finish != "length" || u.CompletionTokens != comp.Usage.CompletionTokens || chunks < 3 {
		t.Fatalf("stream %q (%d chunks, finish %q, usage %+v), completion %q", text.String(), chunks, finish, u, comp.Choices[0].Message.Content)
	}
	models, err := c.Models.List(ctx)
	if err != nil || len(models.Data) != 1 || models.Data[0].ID != "stories260K" {
		t.Fatalf("models: %+v %v", models, err)
	}
	tc, err := c.Completions.New(ctx, openai.CompletionNewParams{Model: "stories260K",
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon a time")}, MaxTokens: openai.Int(8), Temperature: openai.Float(0)})
	if err != nil || len(tc.Choices) != 1 || tc.Choices[0].Text == "" {
		t.Fatalf("completions: %+v %v", tc, err)
	}
}

// TestMemoriesAreRetrievedAndKept: a user's second message retrieves their
// first exchange; another user's chat never sees it.
func TestMemoriesAreRetrievedAndKept(t *testing.T) {
	ts := startServer(t, "", nil)
	ts.createUser(t, "", "alice")
	ts.createUser(t, "", "bob")
	chatAs := func(user, text string) milpInfo {
		var out chatCompletion
		body := fmt.Sprintf(`{"messages": [{"role": "user", "content": %q}], "user": %q, "max_tokens": 8, "temperature": 0}`, text, user)
		if code := ts.call(t, "POST", "/v1/chat/completions", "", body, &out); code != 200 {
			t.Fatalf("chat as %s: %d", user, code)
		}
		return *out.Milp
	}
	chatAs("alice", "I bought a red bicycle yesterday.")
	got := chatAs("alice", "Do you remember my bicycle?")
	if len(got.Memories) == 0 || !strings.Contains(got.Memories[0].Content, "red bicycle") {
		t.Fatalf("alice's second chat retrieved %+v", got.Memories)
	}
	if other := chatAs("bob", "Tell me about the bicycle."); len(other.Memories) != 0 {
		t.Fatalf("bob retrieved alice's memories: %+v", other.Memories)
	}
	var rep userReport
	ts.call(t, "GET", "/v1/users/alice", "", "", &rep)
	if rep.ShortTermExchanges != 2 {
		t.Fatalf("alice's short-term memory holds %d exchanges, want 2", rep.ShortTermExchanges)
	}
}

// TestKeysReachOnlyTheirUser calls every endpoint with another user's key,
// no key, a malformed key and a deleted user's key.
func TestKeysReachOnlyTheirUser(t *testing.T) {
	const admin = "admin-key-0123456789abcdef"
	ts := startServer(t, admin, nil)
	alice := ts.createUser(t, admin, "alice")
	bob := ts.createUser(t, admin, "bob")
	chatBody := func(user string) string {
		return fmt.Sprintf(`{"messages": [{"role": "user", "content": "hello"}], "user": %q, "max_tokens": 2}`, user)
	}
	history := `{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}` + "\n"
	type call struct {
		method, path, body string
	}
	onAlice := []call{
		{"GET", "/v1/users/alice", ""},
		{"POST", "/v1/users/alice/history", history},
		{"POST", "/v1/users/alice/jobs", `{"kind": "consolidate"}`},
		{"PUT", "/v1/users/alice/adapter", "GGUF"},
		{"POST", "/v1/users/alice/keys", ""},
		{"DELETE", "/v1/users/alice", ""},
		{"POST", "/v1/chat/completions", chatBody("alice")},
		{"POST", "/v1/completions", `{"prompt": "x", "user": "alice", "max_tokens": 2}`},
	}
	for _, c := range onAlice {
		if code := ts.call(t, c.method, c.path, bob, c.body, nil); code != http.StatusForbidden {
			t.Errorf("bob's key: %s %s gave %d, want 403", c.method, c.path, code)
		}
		for _, key := range []string{"", "not-a-key", "milp-forged0000000000000000000000"} {
			if code := ts.call(t, c.method, c.path, key, c.body, nil); code != http.StatusUnauthorized {
				t.Errorf("key %q: %s %s gave %d, want 401", key, c.method, c.path, code)
			}
		}
	}
	// Alice's own key reaches her user and chats as her.
	if code := ts.call(t, "GET", "/v1/users/alice", alice, "", nil); code != 200 {
		t.Fatalf("alice's key on her user: %d", code)
	}
	var out chatCompletion
	if code := ts.call(t, "POST", "/v1/chat/completions", alice, chatBody(""), &out); code != 200 || out.Milp.User != "alice" {
		t.Fatalf("alice's chat: %d %+v", code, out.Milp)
	}
	for _, path := range []string{"/v1/users", "/v1/users/alice/adapter", "/v1/users/alice/keys"} {
		method := "POST"
		if strings.HasSuffix(path, "adapter") {
			method = "PUT"
		}
		if code := ts.call(t, method, path, alice, `{"id": "mallory"}`, nil); code != http.StatusForbidden {
			t.Errorf("alice's key: %s %s gave %d, want 403 (admin only)", method, path, code)
		}
	}
	// A deleted user's key is refused, and nothing of theirs remains.
	if code := ts.call(t, "POST", "/v1/chat/completions", bob, chatBody("bob"), nil); code != 200 {
		t.Fatalf("bob chats: %d", code)
	}
	if code := ts.call(t, "DELETE", "/v1/users/bob", admin, "", nil); code != http.StatusNoContent {
		t.Fatalf("delete bob: %d", code)
	}
	if code := ts.call(t, "GET", "/v1/users/bob", bob, "", nil); code != http.StatusUnauthorized {
		t.Fatalf("a deleted user's key gave %d, want 401", code)
	}
	filepath.Walk(ts.store.Root, func(path string, info os.FileInfo, err error) error {
		if err == nil && strings.Contains(filepath.Base(path), "bob") {
			t.Errorf("%s remains after bob was deleted", path)
		}
		return nil
	})
	keys, _ := os.ReadFile(store.KeysPath(ts.store.Root))
	if strings.Contains(string(keys), `"bob"`) || strings.Contains(string(keys), bob) || strings.Contains(string(keys), alice) {
		t.Errorf("keys.json holds a deleted user's key or a key in clear: %s", keys)
	}
}

// TestKeylessServerStaysOnLoopback: without keys the server refuses to
// listen beyond loopback.
func TestKeylessServerStaysOnLoopback(t *testing.T) {
	o := DefaultOptions()
	o.Model, o.Store, o.Logger = embeddedModel(t), milp.Store{Root: t.TempDir()}, discardLogger()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("cannot listen on all interfaces here")
	}
	defer l.Close()
	if err := s.Serve(context.Background(), l); err == nil || !strings.Contains(err.Error(), "without keys") {
		t.Fatalf("a key-less server on %s: %v", l.Addr(), err)
	}
}

// TestBadRequests: each malformed request gets a 4xx JSON error saying
// what is wrong (call checks the shape).
func TestBadRequests(t *testing.T) {
	ts := startServer(t, "", func(o *Options) { o.MaxBodyBytes = 4096; o.MaxMessages = 3 })
	ts.createUser(t, "", "alice")
	long := strings.Repeat("x", 5000)
	for _, c := range []struct {
		path, body string
		code       int
		want       string
	}{
		{"/v1/chat/completions", `{`, 400, "not valid JSON"},
		{"/v1/chat/completions", `{"messages": []}`, 400, "at least one message"},
		{"/v1/chat/completions", `{"messages": [{"role": "robot", "content": "x"}]}`, 400, "role"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}`, 400, "last message"},
		{"/v1/chat/completions", `{"messages": [{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":"c"},{"role":"user","content":"d"}]}`, 400, "over the limit of 3"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "` + long + `"}]}`, 413, "over the limit of 4096 bytes"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "temperature": 7}`, 400, "temperature"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}`, 400, "max_tokens"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "n": 2}`, 400, "n = 1"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "user": "ghost"}`, 404, "no user"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "user": "../etc"}`, 400, "user"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}`, 400, "text only"},
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}], "stop": ["a","b","c","d","e"]}`, 400, "at most 4"},
		{"/v1/completions", `{"prompt": ""}`, 400, "empty"},
		{"/v1/users", `{"id": "users"}`, 400, "cannot be a user ID"},
		{"/v1/users", `{"id": "alice"}`, 409, "exists"},
		{"/v1/users/alice/jobs", `{"kind": "sleep"}`, 400, "kind"},
		{"/v1/users/alice/history", `{"messages": [oops]}`, 400, "body:1"},
	} {
		var out struct {
			Error apiError `json:"error"`
		}
		if code := ts.call(t, "POST", c.path, "", c.body, &out); code != c.code || !strings.Contains(out.Error.Message, c.want) {
			t.Errorf("POST %s %s: %d %q, want %d and %q", c.path, cut(c.body, 60), code, out.Error.Message, c.code, c.want)
		}
	}
	// A prompt longer than the context is refused; a max_tokens above what
	// is left is clipped.
	ctx := ts.opts.Batch.Ctx
	var out struct {
		Error apiError `json:"error"`
	}
	huge := strings.Repeat("a b ", ctx)
	ts2 := startServer(t, "", nil)
	if code := ts2.call(t, "POST", "/v1/completions", "", fmt.Sprintf(`{"prompt": %q}`, huge), &out); code != 400 || out.Error.Code != "context_length_exceeded" {
		t.Errorf("a prompt over the context: %d %+v", code, out.Error)
	}
}

// TestUserConcurrencyLimit: a user's requests beyond their limit get 429
// with Retry-After.
func TestUserConcurrencyLimit(t *testing.T) {
	ts := startServer(t, "", func(o *Options) { o.UserConcurrency = 1 })
	ts.createUser(t, "", "alice")
	release, ok := ts.limits.acquire("alice")
	if !ok {
		t.Fatal("no slot")
	}
	req, _ := http.NewRequest("POST", ts.url+"/v1/chat/completions", strings.NewReader(`{"messages": [{"role": "user", "content": "x"}], "user": "alice"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the user's limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	release()
	if code := ts.call(t, "POST", "/v1/chat/completions", "", `{"messages": [{"role": "user", "content": "x"}], "user": "alice", "max_tokens": 2}`, nil); code != 200 {
		t.Fatalf("after the slot freed: %d", code)
	}
}

// TestDisconnectFreesTheSequence: a client that goes away mid-stream
// leaves the batch at the next step.
func TestDisconnectFreesTheSequence(t *testing.T) {
	// A model slow enough that 4000 tokens take seconds.
	ts := startServer(t, "", func(o *Options) {
		o.Model = slowModel(t)
		o.MaxTokens, o.Batch.Ctx = 100000, 4096
	})
	const body = `{"prompt": "Once upon a time", "max_tokens": 4000, "stop": ["NEVER"]}`
	start := time.Now()
	if code := ts.call(t, "POST", "/v1/completions", "", body, nil); code != 200 {
		t.Fatalf("a whole completion: %d", code)
	}
	whole := time.Since(start)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.url+"/v1/completions",
		strings.NewReader(`{"prompt": "Once upon a time", "stream": true, "max_tokens": 4000, "stop": ["NEVER"]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	for wait := time.Now(); ts.engine.load() != 1; time.Sleep(time.Millisecond) {
		if time.Since(wait) > time.Second {
			t.Fatalf("%d sequences in flight during the stream", ts.engine.load())
		}
	}
	cancel()
	resp.Body.Close()
	gone := time.Now()
	for ts.engine.load() != 0 {
		if time.Since(gone) > whole/4 {
			t.Fatalf("the sequence of a client that went away still runs %v later (a whole reply takes %v)", time.Since(gone), whole)
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("freed %v after the client left; a whole reply takes %v", time.Since(gone), whole)
}

// TestMetricsAndHealth: /metrics speaks Prometheus's format and counts
// requests, tokens and steps; /health answers.
func TestMetricsAndHealth(t *testing.T) {
	ts := startServer(t, "", nil)
	ts.call(t, "POST", "/v1/chat/completions", "", `{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}`, nil)
	resp, err := http.Get(ts.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`milp_http_requests_total{path="POST /v1/chat/completions",status="200"} 1`, "milp_tokens_total", "milp_batch_rows_bucket",
		"milp_adapter_cache_hits_total", "milp_time_to_first_token_seconds", "milp_sequences_in_flight"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	var h map[string]any
	if code := ts.call(t, "GET", "/health", "", "", &h); code != 200 || h["status"] != "ok" {
		t.Fatalf("health: %d %v", code, h)
	}
}

// slowModel is a synthetic model of 4096 positions whose tokens take a
// millisecond or so.
func slowModel(t testing.TB) *nn.Model {
	return testmodel.Synthetic(t, nn.Shape{Name: "slow", Arch: "llama", Dim: 256, Layers: 6, Heads: 4, KVHeads: 2, FFNDim: 768, Vocab: 512, Context: 4096}, quant.F32, 1)
}
