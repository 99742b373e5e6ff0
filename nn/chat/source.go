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
// also bounds everything the nesting count does not see. It first makes
// sure gonja's lexer ends on the source (lexertrap.go): the parser lexes
// it with LexAll, which would collect tokens until memory runs out.
func checkSource(src string, l Limits) error {
	if len(src) > l.Source {
		return limitErrorf("source size", "the template is %d bytes, more than %d", len(src), l.Source)
	}
	if lexerTrap(src) {
		return errLexerTrap
	}
	toks, ends := lexBounded(src)
	if !ends {
		return errLexerLoops
	}
	blocks, brackets, prefixes, inlineIfs := 0, 0, 0, 0
	blockSet := false // inside {% set ... %} with no '=' so far
	for i, t := range toks {
		if t.Type == tokens.Error || t.Type == tokens.EOF {
			break // where the parser stops
		}
		if t.Type == tokens.Whitespace {
			continue // the parser skips it
		}
		switch t.Type {
		case tokens.LeftParenthesis, tokens.LeftBracket, tokens.LeftBrace:
			brackets++
		case tokens.RightParenthesis, tokens.RightBracket, tokens.RightBrace:
			brackets = max(brackets-1, 0)
		case tokens.BlockBegin:
			if name := nextToken(toks, i); name != nil && name.Type == tokens.Name {
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

// nextToken returns the token after toks[i] that is not white space, as
// the parser sees it, or nil.
func nextToken(toks []*tokens.Token, i int) *tokens.Token {
	for _, t := range toks[i+1:] {
		if t.Type != tokens.Whitespace {
			return t
		}
	}
	return nil
}
