package jsonl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// frame is one open object or array of the value being walked.
type frame struct {
	object    bool
	keys      map[string]bool // the object's keys so far, case-folded
	expectKey bool            // the object's next token is a key or its end
}

// checkDuplicateKeys reports the first key that appears twice in one object
// of the JSON value data begins with, at any depth. encoding/json keeps the
// last of two and matches keys to fields regardless of case, so
// {"messages": […], "Messages": […]} would silently drop the first.
func checkDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if n := len(stack); n > 0 && stack[n-1].expectKey {
			top := stack[n-1]
			if key, ok := tok.(string); ok {
				folded := strings.ToLower(key)
				if top.keys[folded] {
					return fmt.Errorf("duplicate key %q", cut([]byte(key), 40))
				}
				top.keys[folded] = true
				top.expectKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, expectKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value (or a container just closed) is complete.
		if len(stack) == 0 {
			return nil
		}
		if top := stack[len(stack)-1]; top.object {
			top.expectKey = true
		}
	}
}
