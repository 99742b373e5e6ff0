package userdata

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// normSentence is the grouping key of a persona sentence: lowercase, runs of
// whitespace collapsed, trailing sentence punctuation dropped, so "I have a
// dog." and "i have a  dog" are the same fact.
func normSentence(s string) string {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	return strings.TrimRight(s, ".!? ")
}

// groupPersonas merges sides into users. Two persona variants (sets of
// normalised sentences) belong to one user when they share more than half of
// the sentences of the smaller one; the relation is closed transitively
// (union–find). On the SPC validation split, variants share 0, 1, 3 or 4
// sentences, never 2, so the rule separates a coincidental shared fact ("I am
// a woman.") from a reordered or extended persona with a wide margin.
//
// A user's Persona is the union of its variants' sentences, each once, in
// order of first appearance; its ID is "spc-" + the first 8 hex digits of
// SHA-256 over the sorted normalised union, so it does not depend on row
// order.
func groupPersonas(sides []spcSide) ([]User, error) {
	// Distinct variants, in first-appearance order.
	variantOf := make([]int, len(sides))
	var variants []map[string]bool
	byKey := map[string]int{}
	for i, s := range sides {
		set := map[string]bool{}
		for _, p := range s.persona {
			set[normSentence(p)] = true
		}
		key := setKey(set)
		v, ok := byKey[key]
		if !ok {
			v = len(variants)
			byKey[key] = v
			variants = append(variants, set)
		}
		variantOf[i] = v
	}
	uf := newUnionFind(len(variants))
	// Only variants sharing a sentence can be linked: index by sentence.
	bySentence := map[string][]int{}
	for v, set := range variants {
		for s := range set {
			bySentence[s] = append(bySentence[s], v)
		}
	}
	for v, set := range variants {
		for s := range set {
			for _, w := range bySentence[s] {
				if w > v && samePersona(set, variants[w]) {
					uf.union(v, w)
				}
			}
		}
	}
	return buildUsers(sides, variantOf, uf)
}

func samePersona(a, b map[string]bool) bool {
	shared := 0
	for s := range a {
		if b[s] {
			shared++
		}
	}
	return 2*shared > min(len(a), len(b))
}

func setKey(set map[string]bool) string {
	keys := make([]string, 0, len(set))
	for s := range set {
		keys = append(keys, s)
	}
	slices.Sort(keys)
	return strings.Join(keys, "\n")
}

// buildUsers collects the sides of each union–find group into a User.
func buildUsers(sides []spcSide, variantOf []int, uf *unionFind) ([]User, error) {
	userOf := map[int]int{} // group root → index in users
	var users []User
	var seen []map[string]bool
	for i, s := range sides {
		root := uf.find(variantOf[i])
		u, ok := userOf[root]
		if !ok {
			u = len(users)
			userOf[root] = u
			users = append(users, User{Source: SPCSource, Licence: SPCLicence})
			seen = append(seen, map[string]bool{})
		}
		for _, p := range s.persona {
			if k := normSentence(p); !seen[u][k] {
				seen[u][k] = true
				users[u].Persona = append(users[u].Persona, p)
			}
		}
		users[u].Conversations = append(users[u].Conversations, s.conv)
	}
	ids := map[string]bool{}
	for u := range users {
		sum := sha256.Sum256([]byte(setKey(seen[u])))
		users[u].ID = "spc-" + hex.EncodeToString(sum[:4])
		if ids[users[u].ID] {
			return nil, fmt.Errorf("userdata: spc: two personas hash to id %s", users[u].ID)
		}
		ids[users[u].ID] = true
	}
	return users, nil
}

// unionFind is a disjoint-set forest with path halving.
type unionFind struct{ parent []int }

func newUnionFind(n int) *unionFind {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return &unionFind{parent: p}
}

func (u *unionFind) find(x int) int {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

// union links the later root under the earlier so roots are deterministic.
func (u *unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
}
