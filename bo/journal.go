package bo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// The journal is a JSONL file: a header line describing the study, then one
// line per event. Each line is written with a single write call and fsynced,
// so a study killed at any moment leaves at most one torn final line, which
// Resume discards.

const journalVersion = 1

// journalHeader is the first line of a journal.
type journalHeader struct {
	Kind      string  `json:"kind"` // "study"
	Version   int     `json:"version"`
	Name      string  `json:"name,omitempty"`
	Seed      uint64  `json:"seed"`
	Direction string  `json:"direction"`
	Space     []Param `json:"space"`
	// Settings are the caller's, recorded so that a resume under other
	// settings is refused (StudyOptions.Settings).
	Settings map[string]string `json:"settings,omitempty"`
	Created  string            `json:"created"`
}

// journalRecord is one trial event: "ask" when a configuration is handed out,
// "tell" when its outcome (complete or failed) is known.
type journalRecord struct {
	Kind     string         `json:"kind"` // "ask" or "tell"
	Trial    int            `json:"trial"`
	Status   TrialStatus    `json:"status"`
	Config   map[string]any `json:"config"`
	Value    *float64       `json:"value,omitempty"`
	WallTime float64        `json:"wall_time_s,omitempty"`
	Error    string         `json:"error,omitempty"`
	// Attrs are the caller's measurements of the trial besides its value.
	Attrs map[string]float64 `json:"attrs,omitempty"`
	Time  string             `json:"time"`
}

// journal appends records to a file.
type journal struct {
	f *os.File
}

// appendLine writes one JSON value and a newline, then fsyncs.
func (j *journal) appendLine(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bo: journal: encoding record: %w", err)
	}
	b = append(b, '\n')
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("bo: journal %s: %w", j.f.Name(), err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("bo: journal %s: sync: %w", j.f.Name(), err)
	}
	return nil
}

func (j *journal) close() error {
	if j == nil || j.f == nil {
		return nil
	}
	return j.f.Close()
}

// readJournal parses a journal file. A torn or unparsable last line (from a
// crash mid-write) is reported through goodLen, the byte length of the valid
// prefix, so the caller can truncate it away; corruption before the last line
// is an error.
func readJournal(path string) (hdr *journalHeader, recs []journalRecord, goodLen int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, 0, err
	}
	r := bufio.NewReader(bytes.NewReader(data))
	var offset int64
	lineNo := 0
	for {
		line, rerr := r.ReadBytes('\n')
		if len(line) == 0 && rerr == io.EOF {
			break
		}
		lineNo++
		complete := rerr == nil
		trimmed := bytes.TrimSpace(line)
		var parseErr error
		if len(trimmed) == 0 {
			parseErr = errors.New("empty line")
		} else if hdr == nil {
			var h journalHeader
			if parseErr = json.Unmarshal(trimmed, &h); parseErr == nil && h.Kind != "study" {
				parseErr = fmt.Errorf("first record has kind %q, want \"study\"", h.Kind)
			}
			if parseErr == nil {
				hdr = &h
			}
		} else {
			var rec journalRecord
			if parseErr = json.Unmarshal(trimmed, &rec); parseErr == nil && rec.Kind != "ask" && rec.Kind != "tell" {
				parseErr = fmt.Errorf("unknown record kind %q", rec.Kind)
			}
			if parseErr == nil {
				recs = append(recs, rec)
			}
		}
		if parseErr != nil || !complete {
			// Only the final line may be damaged.
			if _, peek := r.Peek(1); peek == nil {
				return nil, nil, 0, fmt.Errorf("bo: journal %s line %d: %v", path, lineNo, parseErr)
			}
			break
		}
		offset += int64(len(line))
		if rerr == io.EOF {
			break
		}
	}
	return hdr, recs, offset, nil
}

func nowString() string { return time.Now().UTC().Format(time.RFC3339Nano) }
