package bo

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Config is one point of a search space: parameter name → value, where a value
// is float64 (Float), int (Int), string (Categorical) or []bool (BoolVector).
type Config map[string]any

// Clone returns a deep copy (bool vectors are copied).
func (c Config) Clone() Config {
	out := make(Config, len(c))
	for k, v := range c {
		if b, ok := v.([]bool); ok {
			v = slices.Clone(b)
		}
		out[k] = v
	}
	return out
}

// Float returns a float parameter (0 if absent or of another type).
func (c Config) Float(name string) float64 { v, _ := c[name].(float64); return v }

// Int returns an integer parameter (0 if absent or of another type).
func (c Config) Int(name string) int { v, _ := c[name].(int); return v }

// String returns a categorical parameter ("" if absent or of another type).
func (c Config) String(name string) string { v, _ := c[name].(string); return v }

// Bools returns a bool-vector parameter (nil if absent or of another type).
func (c Config) Bools(name string) []bool { v, _ := c[name].([]bool); return v }

// key is a canonical text form used to detect duplicate configurations.
func (c Config) key() string {
	b, _ := json.Marshal(c) // map keys are sorted by encoding/json
	return string(b)
}

// Normalize converts a configuration decoded from JSON (numbers as float64,
// arrays as []any) to the Go types of the space's parameters and validates it.
func (s *Space) Normalize(raw map[string]any) (Config, error) {
	c := make(Config, len(s.params))
	for _, p := range s.params {
		v, ok := raw[p.Name]
		if !ok {
			return nil, fmt.Errorf("bo: configuration lacks parameter %q", p.Name)
		}
		switch p.Kind {
		case KindFloat:
			f, ok := asFloat(v)
			if !ok {
				return nil, fmt.Errorf("bo: parameter %q: %v is not a number", p.Name, v)
			}
			c[p.Name] = f
		case KindInt:
			f, ok := asFloat(v)
			if !ok || f != math.Trunc(f) {
				return nil, fmt.Errorf("bo: parameter %q: %v is not an integer", p.Name, v)
			}
			c[p.Name] = int(f)
		case KindCategorical:
			str, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("bo: parameter %q: %v is not a string", p.Name, v)
			}
			c[p.Name] = str
		case KindBoolVector:
			switch b := v.(type) {
			case []bool:
				c[p.Name] = slices.Clone(b)
			case []any:
				out := make([]bool, len(b))
				for j, e := range b {
					bv, ok := e.(bool)
					if !ok {
						return nil, fmt.Errorf("bo: parameter %q: element %d is not a bool", p.Name, j)
					}
					out[j] = bv
				}
				c[p.Name] = out
			default:
				return nil, fmt.Errorf("bo: parameter %q: %v is not a list of bools", p.Name, v)
			}
		}
	}
	if err := s.Validate(c); err != nil {
		return nil, err
	}
	return c, nil
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
