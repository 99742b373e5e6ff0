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

// newEnvironment builds a private gonja environment. Each set is copied from
// gonja's builtins so our overrides never touch gonja's package-level
// defaults, which other code in the process may use.
func newEnvironment() *exec.Environment {
	filters := exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	// gonja's tojson is Go's encoding/json (compact, HTML-escaped); templates
	// expect Python's json.dumps spacing, which models were trained on.
	_ = filters.Replace("tojson", filterToJSON)

	methods := builtins.Methods
	methods.Str = newStrMethods()

	return &exec.Environment{
		Context:           exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables),
		Filters:           filters,
		Tests:             exec.NewTestSet(map[string]exec.TestFunction{}).Update(builtins.Tests),
		ControlStructures: exec.NewControlStructureSet(map[string]parser.ControlStructureParser{}).Update(builtins.ControlStructures),
		Methods:           methods,
	}
}
