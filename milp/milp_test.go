package milp

import (
	"encoding/json"
	"encoding/xml"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/bo"
	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/nn/sample"
	"github.com/milp-lite/milp-lite/train"
	"github.com/milp-lite/milp-lite/userdata"
)

func defaultModel(t testing.TB) *nn.Model { return testmodel.Default(t) }

func sampleUser(t testing.TB, i int) userdata.User {
	t.Helper()
	users, err := userdata.Sample()
	if err != nil {
		t.Fatal(err)
	}
	return users[i]
}

// smallRecipe keeps the end-to-end tests to seconds: one pass over short
// sequences.
var smallRecipe = func() train.Recipe {
	r := train.DefaultRecipe
	r.Epochs, r.TrainCtx = 1, 128
	return r
}()

func TestSearchSpaceDecodes(t *testing.T) {
	space, err := SearchSpace(5)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		c, err := space.Sample(rng)
		if err != nil {
			t.Fatal(err)
		}
		p, err := PlacementOf(c)
		if err != nil {
			t.Fatalf("sample %v: %v", c, err)
		}
		if len(p.Layers) == 0 || len(p.Sites) == 0 || p.Rank < 1 || p.Rank > 64 || p.LorasPerSite < 1 || p.LorasPerSite > 4 || p.LR < 1e-4 || p.LR > 3e-2 {
			t.Fatalf("placement outside the space: %v", p)
		}
		for _, s := range p.Sites {
			if s != nn.SiteGate && s != nn.SiteUp && s != nn.SiteDown {
				t.Fatalf("a non-FFN site %v", s)
			}
		}
	}
	if _, err := PlacementOf(bo.Config{"layers": []bool{false, false}, "sites": []bool{true}, "rank": 4, "loras_per_site": 1, "lr": 1e-3}); err == nil {
		t.Fatal("a placement with no layer was accepted")
	}
}

func TestTrainableParams(t *testing.T) {
	m := defaultModel(t) // dim 64, FFN 172, 5 layers
	p := FixedPlacement(5)
	// Per layer: gate and up are 64→172, down 172→64; each rank-8 module has
	// 8·(in+out) = 8·236 parameters.
	if got, want := p.TrainableParams(m), 5*3*8*236; got != want {
		t.Fatalf("fixed placement: %d parameters, want %d", got, want)
	}
	p = newPlacement([]int{0, 2}, []nn.Site{nn.SiteDown}, 4, 3, 1e-3)
	if got, want := p.TrainableParams(m), 2*3*4*236; got != want {
		t.Fatalf("%v: %d parameters, want %d", p, got, want)
	}
	// The count matches the modules lora actually creates.
	set, err := lora.New(m, p.LoRAConfig(), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, prm := range set.Params() {
		n += len(prm.Value)
	}
	if n != p.TrainableParams(m) {
		t.Fatalf("lora made %d parameters, TrainableParams says %d", n, p.TrainableParams(m))
	}
}

func TestEvalPairsSpreadOverConversations(t *testing.T) {
	conv := func(n int) userdata.Conversation {
		var c userdata.Conversation
		for i := 0; i < n; i++ {
			c.Messages = append(c.Messages, chat.Message{Role: "user", Content: "q"}, chat.Message{Role: "assistant", Content: string(rune('a' + i))})
		}
		return c
	}
	convs := []userdata.Conversation{conv(3), conv(1), conv(2)}
	if got := EvalPairs(convs, 0, nil); len(got) != 6 {
		t.Fatalf("all turns: %d, want 6", len(got))
	}
	got := EvalPairs(convs, 4, nil)
	// Round robin: conversation 1's first, 2's first, 3's first, then 1's second.
	want := []string{"a", "a", "a", "b"}
	for i, tr := range got {
		if tr.Reply.Content != want[i] || len(tr.Context) != 2*int(want[i][0]-'a')+1 {
			t.Fatalf("turn %d: reply %q with %d context messages", i, tr.Reply.Content, len(tr.Context))
		}
	}
}

func TestHistoryMemoryKeepsRecentWithinBudget(t *testing.T) {
	hist := []userdata.Conversation{
		{Messages: []chat.Message{{Role: "user", Content: "oldest words here"}}},
		{Messages: []chat.Message{{Role: "user", Content: "middle"}, {Role: "assistant", Content: "reply"}}},
		{Messages: []chat.Message{{Role: "user", Content: "newest"}}},
	}
	words := func(s string) int { return len(strings.Fields(s)) }
	// The header is 3 words; "User: middle", "Assistant: reply" and "User:
	// newest" 2 each, the oldest message 4.
	got := HistoryMemory(hist, 9, words)
	if got != memory.ContextHeader+"User: middle\nAssistant: reply\nUser: newest\n" {
		t.Fatalf("history within 9 words: %q", got)
	}
	if got := HistoryMemory(hist, 13, words); !strings.Contains(got, "oldest") {
		t.Fatalf("history within 13 words: %q", got)
	}
	if HistoryMemory(hist, 4, words) != "" {
		t.Fatal("a budget below one message gave text")
	}
}

func TestSummariseMeansAndIntervals(t *testing.T) {
	users := []*UserResult{
		{Scores: map[Method]Scores{ZeroShot: {RougeL: 0.1, Replies: []string{"a b c d"}, Refs: []string{"a b c d"}}}},
		{Scores: map[Method]Scores{ZeroShot: {RougeL: 0.3, Replies: []string{"x"}, Refs: []string{"y"}}}},
	}
	s := Summarise(users)
	if len(s) != 1 || s[0].Method != ZeroShot || s[0].Users != 2 {
		t.Fatalf("summary %+v", s)
	}
	// Mean 0.2; sample sd 0.1414; t(0.975, 1) = 12.706; half-width 12.706·0.1414/√2 = 1.2706.
	if math.Abs(s[0].RougeL[0]-0.2) > 1e-12 || math.Abs(s[0].RougeL[2]-s[0].RougeL[0]-1.2706) > 1e-3 {
		t.Fatalf("ROUGE-L mean and interval %v", s[0].RougeL)
	}
	one, err := json.Marshal(Summarise(users[:1])[0].RougeL)
	if err != nil || string(one) != "[0.1,null,null]" {
		t.Fatalf("one user's interval in JSON: %s, %v", one, err)
	}
	if s[0].BLEU <= 0 || s[0].BLEU >= 1 {
		t.Fatalf("corpus BLEU of one exact and one wrong reply: %g", s[0].BLEU)
	}
}

func TestPlotsAreWellFormedSVG(t *testing.T) {
	trials := []TrialReport{{ID: 0, Score: 0.1}, {ID: 1, Error: "boom"}, {ID: 2, Score: 0.3}}
	sum := []Summary{{Method: ZeroShot, RougeL: Stat{0.1, 0.05, 0.15}}, {Method: MiLP, RougeL: Stat{0.2, math.NaN(), math.NaN()}}}
	for name, svg := range map[string]string{"search": SearchSVG("a <search>", trials), "summary": SummarySVG("s", sum)} {
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			tok, err := d.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("%s plot is not well-formed XML: %v", name, err)
				}
				break
			}
			// Go's decoder accepts a repeated attribute; SVG renderers do not.
			if el, ok := tok.(xml.StartElement); ok {
				seen := map[string]bool{}
				for _, a := range el.Attr {
					if seen[a.Name.Local] {
						t.Fatalf("%s plot: <%s> repeats attribute %s", name, el.Name.Local, a.Name.Local)
					}
					seen[a.Name.Local] = true
				}
			}
		}
		if !strings.Contains(svg, "<svg") {
			t.Fatalf("%s plot has no svg element", name)
		}
	}
}

// TestPersonaliseAndRemember runs the main job for one user with a tiny
// budget, then the memory cycle: a chat that records short-term memory and
// retrieves it, and a consolidation into the long-term adapter.
func TestPersonaliseAndRemember(t *testing.T) {
	m := defaultModel(t)
	st := Store{Root: t.TempDir()}
	u := sampleUser(t, 0)
	rep, err := Personalise(m, st, u, PersonaliseOptions{Setup: Setup{Recipe: smallRecipe, ValTurns: 4, TestTurns: 4,
		Search: SearchOptions{Trials: 2, InitialTrials: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Trials) != 2 || rep.Before.Turns != 4 || rep.After.Turns != 4 {
		t.Fatalf("report: %d trials, %d/%d test turns", len(rep.Trials), rep.Before.Turns, rep.After.Turns)
	}
	for _, path := range []string{st.AdapterPath(u.ID), st.ReportPath(u.ID), st.PlotPath(u.ID), st.JournalPath(u.ID)} {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("the main job did not write %s", path)
		}
	}
	if p, err := LastPlacement(st, u.ID); err != nil || p.String() != rep.Placement.String() || len(p.Sites) == 0 {
		t.Fatalf("placement read back: %v, %v; want %v", p, err, rep.Placement)
	}
	a, err := lora.Load(st.AdapterPath(u.ID), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Meta) == 0 {
		t.Fatal("the adapter does not record its placement")
	}

	chat, err := OpenUserChat(m, st, u.ID, 0, sample.Params{}, 16, 3)
	if err != nil || !chat.HasAdapter {
		t.Fatalf("open chat: %v (adapter %v)", err, chat != nil && chat.HasAdapter)
	}
	if _, err := chat.Send("I bought a red bicycle yesterday.", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := chat.Send("Do you remember my bicycle?", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(chat.Session.Memory, "red bicycle") {
		t.Fatalf("the second message did not retrieve the first: memory %q", chat.Session.Memory)
	}
	short, _ := st.ShortTerm(u.ID)
	turns, _ := short.Load()
	if len(turns) != 4 {
		t.Fatalf("short-term memory holds %d turns, want 4", len(turns))
	}

	before, _ := os.ReadFile(st.AdapterPath(u.ID))
	res, err := Consolidate(m, st, u.ID, smallRecipe)
	if err != nil {
		t.Fatal(err)
	}
	if res.Turns != 4 || res.Conversations != len(u.Conversations)+1 {
		t.Fatalf("consolidated %d turns into %d conversations", res.Turns, res.Conversations)
	}
	if turns, _ := short.Load(); len(turns) != 0 {
		t.Fatalf("short-term memory still holds %d turns", len(turns))
	}
	after, _ := os.ReadFile(st.AdapterPath(u.ID))
	if string(before) == string(after) {
		t.Fatal("consolidation did not retrain the adapter")
	}
	back, err := userdata.LoadUser(st.UsersDir(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := back.Conversations[len(back.Conversations)-1]
	if last.Messages[0].Content != "I bought a red bicycle yesterday." || len(last.Messages) != 4 {
		t.Fatalf("the consolidated conversation: %+v", last.Messages)
	}
}

// TestEvaluateUserRunsEveryMethod checks the benchmark's plumbing: every
// method scored on the same test turns, scores in range, and a fixed LoRA
// that differs from the base model.
func TestEvaluateUserRunsEveryMethod(t *testing.T) {
	m := defaultModel(t)
	o := DefaultEvalOptions()
	o.Recipe = smallRecipe
	o.Search.Trials, o.Search.InitialTrials = 2, 2
	o.ValTurns, o.TestTurns = 4, 6
	o.PriorPath = filepath.Join(t.TempDir(), priorFile)
	o.TrialsOnTest = true
	res, err := EvaluateUser(m, sampleUser(t, 1), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range Methods {
		s, ok := res.Scores[method]
		if !ok || s.Turns != 6 || s.RougeL < 0 || s.RougeL > 1 || s.PersonaF1 < 0 || s.PersonaF1 > 1 || len(s.Replies) != 6 {
			t.Fatalf("%s: %+v (present %v)", method, s, ok)
		}
		if !(res.CPUSeconds[method] > 0) {
			t.Fatalf("%s took %v CPU seconds", method, res.CPUSeconds[method])
		}
		// Methods with an adapter paid for it; the rest paid for replies only.
		fit, trained := res.FitCPUSeconds[method]
		if trained != (method == FixedLoRA || method == MaLP || method == MiLP) || trained && !(fit > 0 && fit < res.CPUSeconds[method]) {
			t.Fatalf("%s: fit %v of %v CPU seconds (trained %v)", method, fit, res.CPUSeconds[method], trained)
		}
	}
	if len(res.References) != 6 || res.References[0] == "" {
		t.Fatalf("references: %q", res.References)
	}
	for _, tr := range res.Search.Trials {
		if tr.TestRougeL == nil || tr.RougeL == 0 && tr.PersonaF1 == 0 && *tr.TestRougeL == 0 {
			t.Fatalf("trial %d was not scored on validation and test replies: %+v", tr.ID, tr)
		}
	}
	// The user's winner is the prior's for the next user.
	prior, err := LoadPrior(o.PriorPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := prior.Starts(m, 1); len(got) != 1 || !got[0].same(res.Search.Best.Placement) {
		t.Fatalf("prior starts %v after a search that kept %v", got, res.Search.Best.Placement)
	}
	same := true
	for i, r := range res.Scores[FixedLoRA].Replies {
		if r != res.Scores[ZeroShot].Replies[i] {
			same = false
		}
	}
	if same {
		t.Fatal("the fixed LoRA replied exactly as the base model: the adapter had no effect")
	}
	if res.Search == nil || len(res.Search.Trials) != 2 {
		t.Fatalf("search: %+v", res.Search)
	}
}
