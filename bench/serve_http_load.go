package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/nn"
)

// httpUser is one user of the population: their key and prompt.
type httpUser struct {
	key, prompt string
}

// makeHTTPUsers makes o.Population users through the API, each with their
// own key and a distinct random adapter uploaded, and returns them with
// the first o.Users as the in-process bench runs them.
func makeHTTPUsers(url, dir string, m *nn.Model, o HTTPServeOptions, phase func(string)) ([]httpUser, []serveUser, error) {
	rng := rand.New(rand.NewPCG(o.Seed, 0x477))
	users := make([]httpUser, o.Population)
	var inProc []serveUser
	path := filepath.Join(dir, "upload.gguf")
	start := time.Now()
	for i := range users {
		if i > 0 && i%100 == 0 {
			eta := time.Since(start) * time.Duration(len(users)-i) / time.Duration(i)
			phase(fmt.Sprintf("%d of %d users made, ETA %v", i, len(users), eta.Round(time.Second)))
		}
		id := fmt.Sprintf("user%04d", i)
		var created struct {
			Key string `json:"api_key"`
		}
		if err := doJSON("POST", url+"/v1/users", benchAdmin, strings.NewReader(fmt.Sprintf(`{"id": %q}`, id)), &created); err != nil {
			return nil, nil, err
		}
		a, err := randomAdapter(m, o.Rank, o.Seed+uint64(i))
		if err != nil {
			return nil, nil, err
		}
		if err := a.Save(path); err != nil {
			return nil, nil, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		if err := doJSON("PUT", url+"/v1/users/"+id+"/adapter", benchAdmin, bytes.NewReader(data), nil); err != nil {
			return nil, nil, err
		}
		text, prompt := promptText(m, rng, o.PromptMin+rng.IntN(o.PromptMax-o.PromptMin+1))
		users[i] = httpUser{key: created.Key, prompt: text}
		if i < o.Users {
			inProc = append(inProc, serveUser{prompt: prompt, adapter: a, arrival: arrival(o.ServeOptions, i)})
		}
	}
	return users, inProc, nil
}

// promptText is the text of a random prompt that the server encodes in at
// most n tokens, and those tokens. Random tokens decoded encode
// differently, mostly in more; each pass keeps the first tokens of the
// encoding, 2% fewer each time, so that it ends.
func promptText(m *nn.Model, rng *rand.Rand, n int) (string, []int32) {
	text := m.Tokenizer.Decode(randomPrompt(rng, 2*n, m.Config.VocabSize))
	for want := n; ; {
		enc := m.Tokenizer.Encode(text, true, false)
		if len(enc) <= n {
			return text, enc
		}
		text = m.Tokenizer.Decode(enc[1:min(want, len(enc))])
		want = max(2, min(want*49/50, want-1))
	}
}

// arrival is when active user i starts: spread evenly over o.Spread.
func arrival(o ServeOptions, i int) time.Duration {
	if o.Users < 2 {
		return 0
	}
	return o.Spread * time.Duration(i) / time.Duration(o.Users-1)
}

// loadResult is what a load over HTTP measured.
type loadResult struct {
	requests, errors, tokens int
	ttft, itl                []float64 // ms
	wall                     time.Duration
	warm                     time.Duration // when every client had its first reply
	firstError               string
}

func (r *loadResult) tokensPerS() float64 { return float64(r.tokens) / r.wall.Seconds() }

// add counts another run in r.
func (r *loadResult) add(o loadResult) {
	r.requests, r.errors, r.tokens, r.wall = r.requests+o.requests, r.errors+o.errors, r.tokens+o.tokens, r.wall+o.wall
	r.ttft, r.itl = append(r.ttft, o.ttft...), append(r.itl, o.itl...)
	if r.firstError == "" {
		r.firstError = o.firstError
	}
}

// loadHTTP runs workers clients, arriving spread over o.Spread: client w
// streams first as user w, then as users drawn from those numbered w
// modulo workers (so that no two clients speak for one user at once); each
// sends each requests, or (each 0) keeps sending until the deadline.
func loadHTTP(url string, users []httpUser, workers, each int, deadline time.Time, o HTTPServeOptions) loadResult {
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(arrival(o.ServeOptions, w))
			rng := rand.New(rand.NewPCG(o.Seed, uint64(w)))
			mine := (len(users) - w + workers - 1) / workers
			for n, u := 0, w; each == 0 && time.Now().Before(deadline) || n < each; n, u = n+1, w+workers*rng.IntN(mine) {
				times, err := streamCompletion(url, users[u].key, users[u].prompt, o.ReplyTokens)
				mu.Lock()
				if n == 0 {
					res.warm = max(res.warm, time.Since(start))
				}
				res.requests++
				if err != nil {
					res.errors++
					if res.firstError == "" {
						res.firstError = err.Error()
					}
				} else {
					res.tokens += len(times) - 1
					res.ttft = append(res.ttft, ms(times[1].Sub(times[0])))
					for k := 2; k < len(times); k++ {
						res.itl = append(res.itl, ms(times[k].Sub(times[k-1])))
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	return res
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

// doJSON sends a request with a key and decodes a JSON answer.
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

// adapterLoads reads the server's adapter cache misses from /metrics.
func adapterLoads(url string) (int, error) {
	req, _ := http.NewRequest("GET", url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+benchAdmin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "milp_adapter_cache_misses_total "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("/metrics has no milp_adapter_cache_misses_total")
}
