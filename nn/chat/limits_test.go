package chat

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// hostileBudget is what one hostile template may cost in the tests below:
// far more than any limit allows for, far less than the unguarded engine
// spends (each template here hangs, runs out of memory or overflows the
// stack without the limits).
const (
	hostileTime  = 10 * time.Second
	hostileAlloc = 1 << 30
)

// renderHostile parses and renders src and returns the error, checking
// that the attempt stayed within hostileTime and hostileAlloc.
func renderHostile(t *testing.T, src string, limits *Limits) error {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	tpl, err := Parse(src)
	if err == nil {
		if limits != nil {
			tpl.Limits = *limits
		}
		var out string
		out, err = tpl.Render(conversation, true, "<s>", "</s>")
		if err == nil {
			t.Fatalf("rendered %d bytes, want a limit error", len(out))
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if elapsed > hostileTime {
		t.Errorf("took %v, want under %v", elapsed, hostileTime)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > hostileAlloc {
		t.Errorf("allocated %d MiB, want under %d MiB", alloc>>20, hostileAlloc>>20)
	}
	return err
}

func wantLimit(t *testing.T, err error, limit string) {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("error %v, want a %q limit error", err, limit)
	}
	if le.Limit != limit {
		t.Fatalf("error %v, want the %q limit", err, limit)
	}
	if !strings.Contains(err.Error(), limit+" limit") {
		t.Fatalf("error %q does not name the %q limit", err, limit)
	}
}

func TestHostileTemplatesHitTheirLimit(t *testing.T) {
	deep := func(open, mid, close string, n int) string {
		return strings.Repeat(open, n) + mid + strings.Repeat(close, n)
	}
	cases := []struct{ name, src, limit string }{
		{"huge range", `{% for i in range(1000000000) %}{% endfor %}`, "loop iterations"},
		{"nested loops", `{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}`, "loop iterations"},
		{"string repetition", `{{ 'a'*100000000 }}`, "output size"},
		{"repetition overflowing int", `{{ 'ab'*4611686018427387904 }}`, "output size"},
		{"self-calling macro", `{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}`, "recursion depth"},
		{"mutually recursive macros", `{% macro f() %}{{ g() }}{% endmacro %}{% macro g() %}{{ f() }}{% endmacro %}{{ f() }}`, "recursion depth"},
		{"call block recursion", `{% macro f() %}{% call f() %}x{% endcall %}{% endmacro %}{{ f() }}`, "recursion depth"},
		{"center filter", `{{ 'a' | center(100000000) }}`, "output size"},
		{"indent filter", `{{ ('a\n' * 100000) | indent(1000) }}`, "output size"},
		{"replace filter", `{% set s = 'a' * 100000 %}{{ s | replace('a', s) }}`, "output size"},
		{"replace method", `{% set s = 'a' * 100000 %}{{ s.replace('a', s) }}`, "output size"},
		{"tojson indent", `{{ messages | tojson(indent=100000000) }}`, "output size"},
		{"tojson indent on many items", `{{ range(20000) | list | tojson(indent=1000) }}`, "output size"},
		{"tojson separators", `{{ range(20000) | list | tojson(separators=('x' * 1000, ':')) }}`, "output size"},
		{"one format argument printed many times", `{% set s = 'x' * 1000000 %}{% set f = '{0}' * 1000 %}{{ f.format(s) | length }}`, "output size"},
		{"one format argument printed many times by the filter", `{{ ('%[1]s' * 1000) | format('x' * 1000000) | length }}`, "output size"},
		{"width from a format argument", `{{ '{:>{w}}'.format('x', w=1000000000000) }}`, "output size"},
		{"split into one-character pieces", `{% set s = 'x' * 4000000 %}{{ s.split('') | length }}`, "output size"},
		{"strftime_now", `{{ strftime_now('%A' * 1000000) | length }}`, "output size"},
		{"ljust method", `{{ 'a'.ljust(100000000) }}`, "output size"},
		{"join separator", `{{ range(100000) | join('x' * 1000) }}`, "output size"},
		{"join method", `{% set sep = 'x' * 1000 %}{{ sep.join(range(100000) | map('string')) }}`, "output size"},
		{"concatenating a list to itself", `{% set ns = namespace(l=['x' * 100000]) %}{% for i in range(12) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l | join }}`, "output size"},
		{"format width", `{{ '%100000000d' | format(1) }}`, "output size"},
		{"doubling in a loop", `{% set ns = namespace(s='a') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}`, "output size"},
		{"doubling without a loop", `{% set s = 'ab' %}` + strings.Repeat(`{% set s = s + s %}`, 64) + `{{ s }}`, "output size"},
		{"doubling a list literal", `{% set l = ['x'] %}` + strings.Repeat(`{% set l = [l, l] %}`, 64) + `{{ l | length }}`, "output size"},
		{"doubling by append", `{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set m = ns.l %}{% do ns.l.append(m) %}{% set ns.l = ns.l + [m] %}{% endfor %}{{ ns.l | length }}`, "output size"},
		{"many outputs", `{% for i in range(100000) %}{{ 'a' * 1000 }}{% endfor %}`, "output size"},
		{"text hoarded in a macro", `{% macro m() %}{% for i in range(100000) %}{{ 'x' * 1000000 }}{% endfor %}{% endmacro %}{% set x = m() %}`, "memory"},
		{"text hoarded in a list", `{% set l = [] %}{% for i in range(100000) %}{% do l.append('x' * 1000000 ~ i) %}{% endfor %}`, "memory"},
		{"namespace containing itself", `{% set ns = namespace(a=1) %}{% set ns.a = ns %}{{ ns }}`, "nesting"},
		{"namespaces containing each other", `{% set ns = namespace(a=1) %}{% set other = namespace(b=ns) %}{% set ns.a = other %}{{ ns }}`, "nesting"},
		{"deep brackets", `{{ ` + deep("(", "1", ")", 100000) + ` }}`, "nesting"},
		{"deep lists", `{{ ` + deep("[", "1", "]", 1000) + ` }}`, "nesting"},
		{"deep blocks", deep("{% if true %}", "x", "{% endif %}", 10000), "nesting"},
		{"deep prefix operators", `{{ ` + strings.Repeat("not ", 50000) + `true }}`, "nesting"},
		{"deep inline if", `{{ ` + strings.Repeat("1 if true else ", 10000) + `1 }}`, "nesting"},
		{"long attribute chain", `{{ messages` + strings.Repeat(".a", 2000) + ` }}`, "nesting"},
		{"long index chain", `{{ messages` + strings.Repeat("[0]", 2000) + ` }}`, "nesting"},
		{"long concatenation", `{{ 'a'` + strings.Repeat(" ~ 'a'", 40000) + ` }}`, "nesting"},
		{"long sum", `{{ 1` + strings.Repeat(" + 1", 60000) + ` }}`, "nesting"},
		{"huge source", strings.Repeat("x", 1<<20), "source size"},
	}
	// The time limit is raised so a loaded machine cannot turn another
	// limit into a time-out; TestSlowTemplateHitsTheTimeLimit tests it.
	limits := DefaultLimits
	limits.Time = hostileTime / 2
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantLimit(t, renderHostile(t, c.src, &limits), c.limit)
		})
	}
}

func TestSlowTemplateHitsTheTimeLimit(t *testing.T) {
	limits := DefaultLimits
	limits.Time = 20 * time.Millisecond
	src := `{% for i in range(90000) %}{% set x = messages | tojson %}{% endfor %}`
	wantLimit(t, renderHostile(t, src, &limits), "time")
}

func TestRefusedConstructs(t *testing.T) {
	for _, src := range []string{
		`{% for x in [[1]] recursive %}{{ loop(x) }}{% endfor %}`,
		`{% include 'other' %}`,
		`{% extends 'base' %}`,
		`{{ lipsum(1000000000) }}`,
		"{{ 5.é }}",
		"{{ 5.5.é }}",
		"{{ 5e5.ྷ }}",
		"{%\xa70\xa70\xa7\xb5\x94\xb9\x995.ྷ\xa7\xe2\xe36\xfe", // found by FuzzTemplate
		"{{ {\xed|x\xa1% 0.⡒ }}",                               // the same past an error token, found by FuzzTemplate
		`{{ 1 % 0 }}`,
		`{{ 1.5 % 0 }}`,
		`{{ 'a' % 0 }}`,
	} {
		tpl, err := Parse(src)
		if err == nil {
			_, err = tpl.Render(conversation, true, "", "")
		}
		if err == nil || strings.Contains(err.Error(), "engine panic") {
			t.Errorf("%s: error %v, want one saying why", src, err)
		}
	}
}

// TestLimitsLeaveNormalTemplatesAlone renders templates that use every
// guarded construct within bounds.
func TestLimitsLeaveNormalTemplatesAlone(t *testing.T) {
	cases := []struct{ src, want string }{
		{`{% for i in range(3) %}{{ i }}{% endfor %}{{ range(5, 0, -2) | list }}`, "012[5, 3, 1]"},
		{`{{ 'ab' * 3 }}{{ 'a' ~ 1 }}{{ 1 + 2 }}{{ [1] + [2] }}{{ 7 // 2 }}{{ 7 % 4 }}`, "ababab" + "a1" + "3" + "[1, 2]" + "3" + "3"},
		{`{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}`, "54321"},
		{`{% set l = [] %}{% do l.append(1) %}{% set ns = namespace(l=l) %}{% set ns.l = ns.l + [2] %}{{ ns.l }}`, "[1, 2]"},
		{`{{ 'x' | center(5) }}|{{ 'a\nb' | indent(2) }}|{{ (('ab\n' * 30000) | truncate(10000) | length) <= 10000 }}|{{ 'aa'.replace('a', 'bc', 5) }}|{{ ', '.join(['a', 'b']) }}`, "  x  |a\n  b|True|bcbc|a, b"},
		{`{{ 'ab' * -1 }}|{% set s = 'x </think> y' %}{{ s.split('</think>') }}|{{ '{}|{:>3}'.format(20250305, 'a') }}`, "|['x ', ' y']|20250305|  a"},
		{"第1.步 {{ '2.é' }} {{ 3. }}é {{ 4.5 }}.é {# 6.é #}", "第1.步 2.é 3.0é 4.5.é "},
		{`{{ messages | length }} {{ messages[0].role }} {{ 'x' in messages[0].content }}`, "4 system False"},
	}
	for _, c := range cases {
		tpl, err := Parse(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		got, err := tpl.Render(conversation, false, "", "")
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got != c.want {
			t.Errorf("%s\n got: %q\nwant: %q", c.src, got, c.want)
		}
	}
}
