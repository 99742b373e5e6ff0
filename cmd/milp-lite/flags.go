package main

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"
)

// bounds is a numeric flag's valid range, from lo to hi, either end open
// (excluded) when loOpen or hiOpen. Every numeric flag made by intFlag,
// floatFlag or durationFlag states it in its help and has it checked by
// checkFlagRanges before the command does any work. Durations are held in
// nanoseconds and printed as durations.
type bounds struct {
	lo, hi         float64
	loOpen, hiOpen bool
	duration       bool
}

var flagBounds = map[cli.Flag]bounds{}

// atLeast is the range [lo, ∞).
func atLeast(lo float64) bounds { return bounds{lo: lo, hi: math.Inf(1)} }

func (b bounds) num(x float64) string {
	if b.duration {
		return time.Duration(x).String()
	}
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatFloat(x, 'f', -1, 64) // 1048576, not 1.048576e+06
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func (b bounds) String() string {
	switch {
	case math.IsInf(b.hi, 1) && b.loOpen:
		return "> " + b.num(b.lo)
	case math.IsInf(b.hi, 1):
		return "≥ " + b.num(b.lo)
	case b.loOpen || b.hiOpen:
		open, close := "[", "]"
		if b.loOpen {
			open = "("
		}
		if b.hiOpen {
			close = ")"
		}
		return fmt.Sprintf("in %s%s, %s%s", open, b.num(b.lo), b.num(b.hi), close)
	}
	return fmt.Sprintf("%s to %s", b.num(b.lo), b.num(b.hi))
}

// contains reports whether x is in the range; NaN and the infinities never are.
func (b bounds) contains(x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < b.lo || x > b.hi {
		return false
	}
	return !(b.loOpen && x == b.lo) && !(b.hiOpen && x == b.hi)
}

// intBounds is the range lo to hi of an integer flag; math.MaxInt means no
// upper end.
func intBounds(lo, hi int) bounds {
	b := bounds{lo: float64(lo), hi: float64(hi)}
	if hi == math.MaxInt {
		b.hi = math.Inf(1)
	}
	return b
}

func withRange(usage string, b bounds) string { return usage + " (" + b.String() + ")" }

// intFlag is an integer flag of the given default and range.
func intFlag(name string, value, lo, hi int, usage string) *cli.IntFlag {
	b := intBounds(lo, hi)
	f := &cli.IntFlag{Name: name, Value: value, Usage: withRange(usage, b)}
	flagBounds[f] = b
	return f
}

// int64Flag is a 64-bit integer flag of the given default and range.
func int64Flag(name string, value, lo, hi int64, usage string) *cli.Int64Flag {
	b := bounds{lo: float64(lo), hi: float64(hi)}
	if hi == math.MaxInt64 {
		b.hi = math.Inf(1)
	}
	f := &cli.Int64Flag{Name: name, Value: value, Usage: withRange(usage, b)}
	flagBounds[f] = b
	return f
}

// floatFlag is a number flag of the given default and range; NaN and the
// infinities are outside every range.
func floatFlag(name string, value float64, b bounds, usage string) *cli.Float64Flag {
	f := &cli.Float64Flag{Name: name, Value: value, Usage: withRange(usage, b)}
	flagBounds[f] = b
	return f
}

// durationFlag is a duration flag of the given default and range, lo to hi
// (hi 0: no upper end).
func durationFlag(name string, value, lo, hi time.Duration, usage string) *cli.DurationFlag {
	b := bounds{lo: float64(lo), hi: float64(hi), duration: true}
	if hi == 0 {
		b.hi = math.Inf(1)
	}
	f := &cli.DurationFlag{Name: name, Value: value, Usage: withRange(usage, b)}
	flagBounds[f] = b
	return f
}

// flagValue is the number a bounded flag holds in c, as the range holds it.
func flagValue(c *cli.Context, f cli.Flag, name string) float64 {
	switch f.(type) {
	case *cli.IntFlag:
		return float64(c.Int(name))
	case *cli.Int64Flag:
		return float64(c.Int64(name))
	case *cli.DurationFlag:
		return float64(c.Duration(name))
	case *cli.Float64Flag:
		return c.Float64(name)
	}
	panic(fmt.Sprintf("flag --%s: bounds on a %T", name, f))
}

// flagName is how the command line spells a flag: -n, --top-k.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// checkFlagRanges is every command's Before: a flag given outside its range
// is an error naming the flag, its range and the value given. A flag left
// unset keeps its default, which may mean "chosen at run time" (bench's
// --threads), so only the flags given are checked.
func checkFlagRanges(c *cli.Context) error {
	for _, f := range c.Command.Flags {
		b, ok := flagBounds[f]
		name := f.Names()[0]
		if !ok || !c.IsSet(name) {
			continue
		}
		if x := flagValue(c, f, name); !b.contains(x) {
			return fmt.Errorf("%s must be %s, got %s", flagName(name), b, b.num(x))
		}
	}
	return nil
}

// withAliases gives f a short alias (none if "") and the help's text for
// its default (none if ""), for a default chosen at run time.
func withAliases(f *cli.IntFlag, alias, defaultText string) *cli.IntFlag {
	if alias != "" {
		f.Aliases = []string{alias}
	}
	f.DefaultText = defaultText
	return f
}
