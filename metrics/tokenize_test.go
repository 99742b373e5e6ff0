package metrics

import (
	"reflect"
	"testing"
)

func TestTokenize(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Hello, WORLD! It's 2023.", []string{"hello", "world", "it", "s", "2023"}},
		// é is outside [a-z0-9], so it separates, as in rouge-score.
		{"café au lait", []string{"caf", "au", "lait"}},
		{"  \t\n", nil},
		{"", nil},
		{"e-mail_address", []string{"e", "mail", "address"}},
	}
	for _, c := range cases {
		got := Tokenize(c.in)
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestContentTokensDropsStopWords(t *testing.T) {
	got := ContentTokens("I don't have a DOG, but I love cats")
	// i, don, t, have, a, but are stop words; dog, love, cats are not.
	want := []string{"dog", "love", "cats"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ContentTokens = %q, want %q", got, want)
	}
}
