package chat

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

// errLexerTrap refuses a source gonja v2.9.1's lexer never finishes: after a
// number, scanNumber peeks past a '.' and then backs up by the width of
// the character it peeked at instead of the dot's, so with a multi-byte
// character there ({{ 5.é }}) it steps back into the number and emits
// empty tokens for ever, until memory runs out.
var errLexerTrap = errors.New("chat: template has a number followed by '.' and a non-ASCII character in an expression, on which the template engine's lexer never ends")

// errLexerLoops refuses a source on which gonja's lexer makes more tokens
// than any lexing that ends could: another such bug.
var errLexerLoops = errors.New("chat: template makes the template engine's lexer run without end")

// lexerTrap reports whether gonja's lexer would meet that pattern in an
// expression. Lexing a copy of src in which every non-ASCII character is
// replaced by ASCII of the same byte length and class (digits by '1's,
// others by 'a's, which gonja lexes as it lexes letters) cannot meet it,
// keeps every byte where it was, and puts the lexer in the same state at
// each number as lexing src would: the number tokens found in the copy
// are where src's lexer would meet a '.' and what follows it. All the
// tokens are read, past errors too: gonja's lexer goes on after an error
// token, and so does its LexAll.
func lexerTrap(src string) bool {
	if !hasNonASCIIAfterDot(src) {
		return false
	}
	copied, ends := lexBounded(asciiCopy(src))
	if !ends {
		return true
	}
	norm := tokens.NewLexer(src, newConfig()).Input // as the copy, newlines normalised
	for _, t := range copied {
		if t.Type != tokens.Integer && t.Type != tokens.Float {
			continue
		}
		end := t.Pos + len(t.Val)
		if end < len(norm) && norm[end] == '.' {
			r, w := utf8.DecodeRuneInString(norm[end+1:])
			if w > 1 && !unicode.IsDigit(r) {
				return true
			}
		}
	}
	return false
}

// lexBounded lexes src as tokens.LexAll does, but through the lexer's
// channel, and stops reading after more tokens than a lexing that ends can
// make (every token but a few consumes at least a byte): ends is false
// then, and the lexer's goroutine is left blocked on its channel for good,
// a small price for a template built to hang the process. A panic in the
// lexer (its bad step back can also slice out of range) ends the tokens
// instead of the process; Parse's LexAll then panics where it is
// recovered.
func lexBounded(src string) (toks []*tokens.Token, ends bool) {
	lx := tokens.NewLexer(src, newConfig())
	go func() {
		defer func() {
			if recover() != nil {
				close(lx.Tokens) // Run, the only sender, has stopped
			}
		}()
		lx.Run()
	}()
	limit := 4*len(src) + 64
	for t := range lx.Tokens {
		if len(toks) == limit {
			return nil, false
		}
		toks = append(toks, t)
	}
	return toks, true
}

func hasNonASCIIAfterDot(src string) bool {
	for i := 0; i+1 < len(src); i++ {
		if src[i] == '.' && src[i+1] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// asciiCopy replaces each multi-byte character of src by as many ASCII
// bytes: '1's for a digit, 'a's for anything else. Single bytes (ASCII,
// and invalid bytes, which gonja also reads one at a time) stay.
func asciiCopy(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRuneInString(src[i:])
		switch {
		case w == 1:
			b.WriteByte(src[i])
		case unicode.IsDigit(r):
			b.WriteString(strings.Repeat("1", w))
		default:
			b.WriteString(strings.Repeat("a", w))
		}
		i += w
	}
	return b.String()
}
