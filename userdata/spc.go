package userdata

import (
	"github.com/milp-lite/milp-lite/nn/chat"

	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// SPC column names and provenance.
const (
	spcPersona1Col = "user 1 personas"
	spcPersona2Col = "user 2 personas"
	spcConvCol     = "Best Generated Conversation"

	SPCSource  = "Synthetic-Persona-Chat (google-research-datasets/Synthetic-Persona-Chat)"
	SPCLicence = `CC-BY 4.0; Jandaghi et al., "Faithful Persona-based Conversational Dataset Generation with Large Language Models", 2023`
)

// spcSpeaker matches a turn line "User 1: text", tolerating the markdown the
// generator sometimes added ("*User 2:* text", "* User 1: text").
var spcSpeaker = regexp.MustCompile(`(?i)^[\s*]*user\s*([12])\s*\**\s*:\s*\**\s*(.*)$`)

// spcStageDirection matches lines that are not speech: "[A few minutes
// later]", "(laughs)", "* * *".
var spcStageDirection = regexp.MustCompile(`^\s*(\[.*\]|\(.*\)|[*\s]+)\s*$`)

// spcSide is one side of one SPC conversation before grouping into users.
type spcSide struct {
	persona []string
	conv    Conversation
}

// ImportSPC reads the Synthetic-Persona-Chat CSV and returns one User per
// persona holder. Each row yields two sides: User 1's persona with a
// conversation in which User 1's lines are the assistant messages and User 2's
// the user messages, and the mirror image for User 2. Sides are grouped into
// users by persona (see groupPersonas): SPC repeats a persona across
// conversations with its sentences reordered and sometimes one added, so
// personas sharing more than half of the smaller one's sentences are one
// user. Users come in order of first appearance, conversations in file order.
//
// Turn lines start "User 1:" / "User 2:"; other non-empty lines continue the
// previous turn, except stage directions ("[...]", "(...)", "* * *"), which
// are dropped. Consecutive lines of one speaker merge into one message.
// Errors name the CSV line of the offending record.
func ImportSPC(r io.Reader) ([]User, error) {
	return importSPC(r, nil)
}

// SkippedRecord is a malformed record ImportSPCSkipping left out: the CSV
// line it starts on and why.
type SkippedRecord struct {
	Line   int
	Reason string
}

// ImportSPCSkipping is ImportSPC for real exports, which carry a few
// malformed records (a conversation without "User 1:"/"User 2:" labels, an
// empty one, an empty persona, a row with a wrong number of fields): each
// is passed to skip and left out instead of failing the file. A file whose
// CSV cannot be parsed still fails.
func ImportSPCSkipping(r io.Reader, skip func(SkippedRecord)) ([]User, error) {
	if skip == nil {
		skip = func(SkippedRecord) {}
	}
	return importSPC(r, skip)
}

// importSPC reads the file; skip nil makes a malformed record an error.
func importSPC(r io.Reader, skip func(SkippedRecord)) ([]User, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("userdata: spc: empty input, want a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("userdata: spc: %w", err)
	}
	cols, err := spcColumns(header)
	if err != nil {
		return nil, err
	}
	var sides []spcSide
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		wrongCount := errors.Is(err, csv.ErrFieldCount) // rec is read whole
		if err != nil && !(wrongCount && skip != nil) {
			return nil, fmt.Errorf("userdata: spc: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if wrongCount {
			skip(SkippedRecord{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		rowSides, err := spcRow(rec[cols[0]], rec[cols[1]], rec[cols[2]])
		if err != nil && skip != nil {
			skip(SkippedRecord{Line: line, Reason: err.Error()})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("userdata: spc: record on line %d: %w", line, err)
		}
		sides = append(sides, rowSides...)
	}
	if len(sides) == 0 {
		return nil, fmt.Errorf("userdata: spc: no conversations after the header")
	}
	return groupPersonas(sides)
}

// spcColumns finds the persona and conversation columns by name (a UTF-8 BOM
// or surrounding spaces on a header are ignored).
func spcColumns(header []string) ([3]int, error) {
	want := [3]string{spcPersona1Col, spcPersona2Col, spcConvCol}
	idx := [3]int{-1, -1, -1}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		for j, w := range want {
			if h == w {
				idx[j] = i
			}
		}
	}
	for j, w := range want {
		if idx[j] < 0 {
			return idx, fmt.Errorf("userdata: spc: header has no column %q (got %q)", w, header)
		}
	}
	return idx, nil
}

// spcRow turns one CSV record into its two sides.
func spcRow(persona1, persona2, conversation string) ([]spcSide, error) {
	p1, p2 := personaSentences(persona1), personaSentences(persona2)
	if len(p1) == 0 || len(p2) == 0 {
		return nil, fmt.Errorf("empty persona")
	}
	if strings.TrimSpace(conversation) == "" {
		return nil, fmt.Errorf("empty conversation")
	}
	turns := spcTurns(conversation)
	if len(turns) == 0 {
		return nil, fmt.Errorf(`conversation has no "User 1:" / "User 2:" turns`)
	}
	sides := make([]spcSide, 2)
	for s, holder := range [2]int{1, 2} {
		for _, t := range turns {
			role := chat.RoleUser
			if t.speaker == holder {
				role = chat.RoleAssistant
			}
			sides[s].conv.Add(role, t.text)
		}
	}
	sides[0].persona, sides[1].persona = p1, p2
	return sides, nil
}

// personaSentences splits a persona cell into trimmed, non-empty sentences.
func personaSentences(cell string) []string {
	var out []string
	for _, line := range strings.Split(cell, "\n") {
		if s := strings.TrimSpace(line); s != "" {
			out = append(out, s)
		}
	}
	return out
}

type spcTurn struct {
	speaker int
	text    string
}

// spcTurns parses the "User n: text" lines of a conversation cell.
func spcTurns(cell string) []spcTurn {
	var turns []spcTurn
	for _, line := range strings.Split(cell, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || spcStageDirection.MatchString(line) {
			continue
		}
		if m := spcSpeaker.FindStringSubmatch(line); m != nil {
			turns = append(turns, spcTurn{speaker: int(m[1][0] - '0'), text: strings.TrimSpace(m[2])})
			continue
		}
		if len(turns) > 0 { // continuation of the previous turn
			t := &turns[len(turns)-1]
			t.text = strings.TrimSpace(t.text + "\n" + line)
		}
	}
	return turns
}
