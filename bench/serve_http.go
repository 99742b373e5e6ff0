package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/serve"
)

// HTTPServeResult is the serving benchmark over real HTTP: the same load
// as MeasureServe's batched run, each user with their own key and adapter,
// streaming completions from a server on a loopback port.
type HTTPServeResult struct {
	Users               int     `json:"users"`
	Requests            int     `json:"requests"`
	Errors              int     `json:"errors"`
	AggregateTokensPerS float64 `json:"aggregate_tokens_per_s"`
	InProcessTokensPerS float64 `json:"in_process_tokens_per_s"` // the same users on the engine directly
	HTTPCost            float64 `json:"http_cost"`               // 1 − HTTP ÷ in-process
	TTFTP50ms           float64 `json:"ttft_p50_ms"`
	TTFTP99ms           float64 `json:"ttft_p99_ms"`
	ITLP50ms            float64 `json:"itl_p50_ms"`
	ITLP99ms            float64 `json:"itl_p99_ms"`
	FirstError          string  `json:"first_error,omitempty"`
}

// MeasureServeHTTP serves o.Model from a temporary store on a loopback
// port, makes o.Users users with their own keys and random adapters through
// the API, and has each stream one completion of o.ReplyTokens tokens,
// arriving spread over o.Spread; then runs the same users on the engine in
// process for the comparison.
func MeasureServeHTTP(o ServeOptions, phase func(string)) (*HTTPServeResult, error) {
	m, err := nn.Open(o.Model)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	dir, err := os.MkdirTemp("", "milp-bench-serve-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	const admin = "bench-admin-key-0123456789"
	so := serve.DefaultOptions()
	so.Model, so.ModelName, so.Store, so.AdminKey = m, "bench", milp.Store{Root: dir}, admin
	so.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	so.Batch.MaxSeqs = o.Users + 1
	so.Batch.Ctx = o.PromptMax + o.ReplyTokens + 64
	so.MaxTokens, so.MaxQueue, so.UserConcurrency = o.ReplyTokens, 4*o.Users, 4
	if o.StepTokens > 0 {
		so.Batch.StepTokens = o.StepTokens
	}
	s, err := serve.New(so)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	defer func() { cancel(); <-done }()
	url := "http://" + l.Addr().String()

	phase(fmt.Sprintf("%d users with their keys and adapters", o.Users))
	rng := rand.New(rand.NewPCG(o.Seed, 0x477))
	type httpUser struct {
		key, prompt string
		arrival     time.Duration
	}
	users := make([]httpUser, o.Users)
	var inProc []serveUser
	for i := range users {
		id := fmt.Sprintf("user%03d", i)
		var created struct {
			Key string `json:"api_key"`
		}
		if err := doJSON("POST", url+"/v1/users", admin, strings.NewReader(fmt.Sprintf(`{"id": %q}`, id)), &created); err != nil {
			return nil, err
		}
		a, err := randomAdapter(m, o.Rank, o.Seed+uint64(i))
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, id+".gguf")
		if err := a.Save(path); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if err := doJSON("PUT", url+"/v1/users/"+id+"/adapter", admin, bytes.NewReader(data), nil); err != nil {
			return nil, err
		}
		prompt := randomPrompt(rng, o.PromptMin+rng.IntN(o.PromptMax-o.PromptMin+1), m.Config.VocabSize)
		users[i] = httpUser{key: created.Key, prompt: m.Tokenizer.Decode(prompt)}
		if o.Users > 1 {
			users[i].arrival = o.Spread * time.Duration(i) / time.Duration(o.Users-1)
		}
		inProc = append(inProc, serveUser{prompt: m.Tokenizer.Encode(users[i].prompt, true, false), adapter: a, arrival: users[i].arrival})
	}

	phase(fmt.Sprintf("%d users streaming over HTTP", o.Users))
	res := &HTTPServeResult{Users: o.Users, Requests: o.Users}
	var mu sync.Mutex
	var ttft, itl []float64
	tokens := 0
	var wg sync.WaitGroup
	start := time.Now()
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(u.arrival)
			times, err := streamCompletion(url, u.key, u.prompt, o.ReplyTokens)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Errors++
				if res.FirstError == "" {
					res.FirstError = err.Error()
				}
				return
			}
			tokens += len(times) - 1
			ttft = append(ttft, ms(times[1].Sub(times[0])))
			for k := 2; k < len(times); k++ {
				itl = append(itl, ms(times[k].Sub(times[k-1])))
			}
		}()
	}
	wg.Wait()
	res.AggregateTokensPerS = float64(tokens) / time.Since(start).Seconds()
	res.TTFTP50ms, res.TTFTP99ms = percentile(ttft, 50), percentile(ttft, 99)
	res.ITLP50ms, res.ITLP99ms = percentile(itl, 50), percentile(itl, 99)

	phase("the same users in process")
	bo := nn.BatchOptions{MaxSeqs: o.Users + 1, StepTokens: so.Batch.StepTokens, ChunkTokens: so.Batch.ChunkTokens, Ctx: so.Batch.Ctx}
	st, err := runLoad(m, bo, inProc, nil, o.ReplyTokens)
	if err != nil {
		return nil, err
	}
	res.InProcessTokensPerS = float64(st.tokens) / st.wall.Seconds()
	res.HTTPCost = 1 - res.AggregateTokensPerS/res.InProcessTokensPerS
	return res, nil
}

// streamCompletion streams one completion and returns the request's start
// and the arrival of each piece of text.
func streamCompletion(url, key, prompt string, maxTokens int) ([]time.Time, error) {
	body, _ := json.Marshal(map[string]any{"prompt": prompt, "max_tokens": maxTokens, "stream": true, "stop": []string{"\x00never"}, "temperature": 0})
	req, _ := http.NewRequest("POST", url+"/v1/completions", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	times := []time.Time{time.Now()}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		msg, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("%d: %s", resp.StatusCode, msg)
	}
	sc := bufio.NewScanner(resp.Body)
	done := false
	for sc.Scan() {
		line := sc.Text()
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			done = true
			break
		}
		var ev struct {
			Choices []struct {
				Text string `json:"text"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return nil, err
		}
		if len(ev.Choices) > 0 && ev.Choices[0].Text != "" {
			times = append(times, time.Now())
		}
	}
	if !done {
		return nil, fmt.Errorf("the stream ended without [DONE]: %v", sc.Err())
	}
	if len(times) < 2 {
		return nil, fmt.Errorf("the stream carried no text")
	}
	return times, nil
}

// doJSON sends a request with the admin key and decodes a JSON answer.
func doJSON(method, url, key string, body io.Reader, out any) error {
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// Markdown is the HTTP run's table.
func (r *HTTPServeResult) Markdown() string {
	return fmt.Sprintf("| measure | value |\n|---|---:|\n| users, requests, errors | %d, %d, %d |\n| aggregate over HTTP | %.1f tokens/s |\n"+
		"| the same users in process | %.1f tokens/s (HTTP, JSON and SSE cost %.1f%%) |\n| time to first token p50 / p99 | %.0f / %.0f ms |\n"+
		"| inter-token latency p50 / p99 | %.1f / %.1f ms |\n",
		r.Users, r.Requests, r.Errors, r.AggregateTokensPerS, r.InProcessTokensPerS, 100*r.HTTPCost, r.TTFTP50ms, r.TTFTP99ms, r.ITLP50ms, r.ITLP99ms)
}
