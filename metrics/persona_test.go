package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPersonaF1(t *testing.T) {
	persona := []string{"I have a dog.", "I love hiking."}
	// persona content words {dog, love, hiking}
	cases := []struct {
		reply string
		want  float64
	}{
		// reply content {love, dog, cat}: common {love, dog} → p = r = 2/3.
		{"I love my dog and my cat", 2.0 / 3},
		// {dog} only: p = 1, r = 1/3 → F1 = 2·(1/3)/(4/3) = 1/2.
		{"dog dog DOG!", 0.5},
		// same content words as the persona → 1.
		{"Hiking with my dog is what I love", 1},
		{"The weather is nice today", 0}, // no overlap
		{"", 0},                          // empty reply
		{"I am what I am", 0},            // only stop words
	}
	for _, c := range cases {
		assert.InDelta(t, c.want, PersonaF1(c.reply, persona), 1e-9, "PersonaF1("+c.reply+")")
	}
	assert.InDelta(t, 0, PersonaF1("I love my dog", nil), 1e-9, "empty persona")
}
