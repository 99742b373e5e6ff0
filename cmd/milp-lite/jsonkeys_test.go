package main

import (
	"encoding"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/bench"
	"github.com/milp-lite/milp-lite/bo"
	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/userdata"
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// jsonKeyProblems walks every struct type reachable from t and lists each
// field that encoding/json would write under a key not in snake_case: an
// untagged field (its Go name, "Epochs") or a tag in another style.
// Types that marshal themselves are left to their own methods.
func jsonKeyProblems(t reflect.Type, seen map[reflect.Type]bool, problems *[]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	marshaler := reflect.TypeFor[json.Marshaler]()
	textMarshaler := reflect.TypeFor[encoding.TextMarshaler]()
	if t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) || t.Implements(textMarshaler) {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == "-":
			continue
		case tag == "" && f.Anonymous: // promoted fields
		case !snakeCase.MatchString(tag):
			key := tag
			if key == "" {
				key = f.Name
			}
			*problems = append(*problems, t.String()+"."+f.Name+" is written as "+strconvQuote(key))
		}
		jsonKeyProblems(f.Type, seen, problems)
	}
}

func strconvQuote(s string) string { return `"` + s + `"` }

// TestJSONKeysSnakeCase: every JSON document milp-lite writes (reports,
// journals, histories, memories, benchmark results, the --json outputs)
// keys its fields in one style, snake_case.
func TestJSONKeysSnakeCase(t *testing.T) {
	roots := []any{
		milp.Report{}, milp.UserReport{}, milp.TrialReport{},
		bench.Result{}, bench.ServeResult{}, bench.HTTPServeResult{}, bench.TrainRow{}, bench.PeerRow{},
		bo.Record{}, memory.Turn{}, userdata.Conversation{},
		infoJSON{}, tokenizeJSON{}, trainSummary{},
	}
	var problems []string
	seen := map[reflect.Type]bool{}
	for _, r := range roots {
		jsonKeyProblems(reflect.TypeOf(r), seen, &problems)
	}
	for _, p := range problems {
		t.Error(p)
	}
	// The check itself finds an untagged field, and a tag in camelCase.
	problems = nil
	jsonKeyProblems(reflect.TypeOf(struct {
		Epochs int
		Batch  int `json:"batchSize"`
		Seed   int `json:"seed"`
	}{}), map[reflect.Type]bool{}, &problems)
	if len(problems) != 2 {
		t.Errorf("the check found %q, want Epochs and batchSize", problems)
	}
}
