package chat

import (
	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/parser"
)

// newConfig returns the lexer settings transformers uses for chat templates
// (jinja2.Environment(trim_blocks=True, lstrip_blocks=True)). Without them
// every "{% if %}\n" line of a multi-line template leaks a newline.
func newConfig() *config.Config {
	c := config.New()
	c.TrimBlocks = true
	c.LeftStripBlocks = true
	return c
}

// unsupportedTags are gonja tags a chat template cannot use: a GGUF
// template is one file (include, import, from, extends, block need others)
// and trans needs a translation hook. Leaving them out means the template
// fails to parse, rather than instrument having to know their insides.
var unsupportedTags = map[string]bool{
	"include": true, "import": true, "from": true, "extends": true, "block": true, "trans": true,
}

// newEnvironment builds a private gonja environment whose filters and
// methods report to g. Each set is copied from gonja's builtins so our
// overrides never touch gonja's package-level defaults, which other code
// in the process may use.
func newEnvironment(g *guards) *exec.Environment {
	filters := exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	// gonja's tojson is Go's encoding/json (compact, HTML-escaped); templates
	// expect Python's json.dumps spacing, which models were trained on.
	// It is bounded by the render's output limit.
	_ = filters.Replace("tojson", func(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		return toJSON(g.b.output, in, params)
	})

	methods := builtins.Methods
	methods.Str = newStrMethods()

	tags := map[string]parser.ControlStructureParser{}
	for _, name := range setNames(builtins.ControlStructures, "statements") {
		if !unsupportedTags[name] {
			tags[name], _ = builtins.ControlStructures.Get(name)
		}
	}

	return &exec.Environment{
		Context:           exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables),
		Filters:           guardFilters(g, filters),
		Tests:             exec.NewTestSet(map[string]exec.TestFunction{}).Update(builtins.Tests),
		ControlStructures: exec.NewControlStructureSet(tags),
		Methods: exec.Methods{
			Bool:  guardMethods(g, methods.Bool),
			Int:   guardMethods(g, methods.Int),
			Float: guardMethods(g, methods.Float),
			Str:   guardMethods(g, methods.Str),
			Dict:  guardMethods(g, methods.Dict),
			List:  guardMethods(g, methods.List),
		},
	}
}
