package chat

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fuzzLimits are smaller than DefaultLimits so that each execution is
// quick; the fuzzer tests that the limits stop the work, whatever they are.
var fuzzLimits = func() Limits {
	l := DefaultLimits
	l.Time, l.Output, l.Iterations, l.Depth = 200*time.Millisecond, 64<<10, 10_000, 50
	return l
}()

// FuzzTemplate parses and renders arbitrary template sources. Whatever the
// source, parsing and rendering must not crash the process (a panic inside
// the engine is an error, a stack overflow or running out of memory is
// not), a render must end soon after its time limit, allocate well under
// 1 GiB and return no more than the output limit.
//
// Seeds: the published templates in testdata, Jinja snippets exercising
// every guarded construct, hostile templates as in limits_test.go, and long
// chains near the syntax tree's depth limit.
func FuzzTemplate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.jinja"))
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	for _, src := range []string{
		`{% for i in range(3) %}{{ i ~ 'x' * i }}{% endfor %}`,
		`{% set ns = namespace(s='a', l=[]) %}{% for m in messages %}{% set ns.s = ns.s + m.content %}{% do ns.l.append(m) %}{% endfor %}{{ ns.s }}{{ ns.l | tojson }}`,
		`{% macro f(n) %}{% if n %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}`,
		`{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}x{% endcall %}`,
		`{{ messages | map(attribute='content') | join(', ') | center(80) | indent(2) | replace('a', 'b') }}`,
		`{% filter upper %}{{ messages[-1].content.split(' ') | list }}{% endfilter %}{% set x %}{{ 'y' }}{% endset %}{{ x }}`,
		`{% with a = [1, 2] %}{{ a + a }}{{ {'k': a} }}{{ a[::-1] }}{% endwith %}`,
		`{{ '%5d|%s' | format(3, 'x') }}{{ 'a{}'.format(1) }}{{ 'x'.ljust(4) }}{{ 7 % 3 }}{{ 2 ** 10 }}`,
		`{% for i in range(1000000000) %}{% endfor %}`,
		`{{ 'a' * 100000000 }}`,
		`{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}`,
		`{% set ns = namespace(a=1) %}{% set ns.a = ns %}{{ ns }}`,
		`{% set s = 'ab' %}{% set s = s + s %}{% set s = s + s %}{{ s }}`,
		`{{ messages` + strings.Repeat(".a", 300) + ` }}`,
		`{{ 'a'` + strings.Repeat(" ~ 'a'", 300) + ` }}`,
	} {
		f.Add(src)
	}

	f.Fuzz(func(t *testing.T, src string) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		tpl, err := Parse(src)
		if err != nil {
			return
		}
		tpl.Limits = fuzzLimits
		tpl.Now = func() time.Time { return time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC) }
		out, err := tpl.Render(conversation, true, "<s>", "</s>")
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if err == nil && len(out) > max(fuzzLimits.Output, 4*conversationBytes()) {
			t.Fatalf("rendered %d bytes, over the output limit", len(out))
		}
		if elapsed > 25*fuzzLimits.Time {
			t.Fatalf("took %v with a time limit of %v", elapsed, fuzzLimits.Time)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<30 {
			t.Fatalf("allocated %d MiB", alloc>>20)
		}
	})
}

func conversationBytes() int {
	n := 0
	for _, m := range conversation {
		n += len(m.Role) + len(m.Content)
	}
	return n
}
