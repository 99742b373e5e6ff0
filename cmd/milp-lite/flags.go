package main

import (
	"fmt"
	"math"
	"strconv"

	"github.com/urfave/cli/v2"
)

// bounds is a numeric flag's valid range, [lo, hi], or [lo, hi) when hiOpen.
// Every numeric flag made by intFlag or floatFlag states it in its help and
// has it checked by checkFlagRanges before the command does any work.
type bounds struct {
	lo, hi float64
	hiOpen bool
}

var flagBounds = map[cli.Flag]bounds{}

func (b bounds) String() string {
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch {
	case math.IsInf(b.hi, 1):
		return "≥ " + num(b.lo)
	case b.hiOpen:
		return fmt.Sprintf("in [%s, %s)", num(b.lo), num(b.hi))
	}
	return fmt.Sprintf("%s to %s", num(b.lo), num(b.hi))
}

func (b bounds) contains(x float64) bool {
	if math.IsNaN(x) || x < b.lo || x > b.hi {
		return false
	}
	return !(b.hiOpen && x == b.hi)
}

// intFlag is an integer flag of the given default and range.
func intFlag(name string, value, lo, hi int, usage string) *cli.IntFlag {
	b := bounds{lo: float64(lo), hi: float64(hi)}
	if hi == math.MaxInt {
		b.hi = math.Inf(1)
	}
	f := &cli.IntFlag{Name: name, Value: value, Usage: usage + " (" + b.String() + ")"}
	flagBounds[f] = b
	return f
}

// floatFlag is a number flag of the given default and range; NaN and the
// infinities are outside every range.
func floatFlag(name string, value float64, b bounds, usage string) *cli.Float64Flag {
	f := &cli.Float64Flag{Name: name, Value: value, Usage: usage + " (" + b.String() + ")"}
	flagBounds[f] = b
	return f
}

// checkFlagRanges is every command's Before: a flag outside its range is an
// error naming the flag, its range and the value given.
func checkFlagRanges(c *cli.Context) error {
	for _, f := range c.Command.Flags {
		b, ok := flagBounds[f]
		if !ok {
			continue
		}
		name := f.Names()[0]
		var x float64
		switch f.(type) {
		case *cli.IntFlag:
			x = float64(c.Int(name))
		case *cli.Float64Flag:
			x = c.Float64(name)
		}
		if !b.contains(x) {
			return fmt.Errorf("--%s must be %s, got %v", name, b, x)
		}
	}
	return nil
}
