package chat

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

// blockTags open a body that an end tag closes ({% set x %} without '='
// too, handled apart).
var blockTags = map[string]bool{
	"for": true, "if": true, "macro": true, "call": true, "filter": true,
	"with": true, "autoescape": true, "raw": true,
}

// checkSource bounds a template's source before gonja parses it: gonja's
// parser, and later its evaluator, recurse once per level of nested
// blocks, brackets, prefix operators and inline if/else, and a Go stack
// overflow kills the process. It counts those levels from the tokens
// (lexing is a flat loop) and refuses a source above the size limit, which
// also bounds everything the nesting count does not see.
func checkSource(src string, l Limits) error {
	if len(src) > l.Source {
		return limitErrorf("source size", "the template is %d bytes, more than %d", len(src), l.Source)
	}
	if lexerTrap(src) {
		return errLexerTrap
	}
	blocks, brackets, prefixes, inlineIfs := 0, 0, 0, 0
	blockSet := false // inside {% set ... %} with no '=' so far
	for s := tokens.LexAll(src, newConfig()); !s.End(); s.Next() {
		t := s.Current()
		switch t.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			brackets++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			brackets = max(brackets-1, 0)
		case tokens.BlockBegin:
			name := s.Peek()
			if name != nil && name.Type == tokens.Name {
				blockSet = name.Val == "set"
				switch {
				case strings.HasPrefix(name.Val, "end"):
					blocks = max(blocks-1, 0)
				case blockTags[name.Val]:
					blocks++
				}
			}
		case tokens.Assign:
			blockSet = false
		case tokens.BlockEnd:
			if blockSet {
				blocks++
				blockSet = false
			}
			inlineIfs = 0
		case tokens.VariableEnd:
			inlineIfs = 0
		case tokens.Name:
			if t.Val == "if" {
				inlineIfs++
			}
		}
		if t.Type == tokens.Not || t.Type == tokens.Subtraction || t.Type == tokens.Addition {
			prefixes++
		} else {
			prefixes = 0
		}
		if blocks+brackets+prefixes+inlineIfs > l.Nesting {
			return limitErrorf("nesting", "blocks, brackets and operators nest more than %d deep (line %d)", l.Nesting, t.Line)
		}
	}
	return nil
}
