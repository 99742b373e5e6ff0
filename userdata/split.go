package userdata

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
)

// Split divides u's conversations into train, validation and test sets, whole
// conversations only (turns of one conversation never straddle two sets, so
// no test reply has its own conversation in training).
//
// Rule, with n conversations:
//   - n < 3: everything is train; val and test are empty.
//   - otherwise nTest = round(testFrac·n) clamped to [1, n−2], then
//     nVal = round(valFrac·n) clamped to [1, n−1−nTest], and train gets the
//     rest (≥ 1). Fractions outside [0, 1] (or NaN) are treated as 0.
//   - Which conversations go where is a permutation drawn from a splitmix64
//     generator seeded with SHA-256(seed ‖ user ID): the first nTest indices
//     are test, the next nVal val. The result depends only on (seed, user ID,
//     n) and never on Go's math/rand, so it is stable across Go versions.
//   - Each set keeps the original (chronological) order of conversations.
func Split(u User, seed uint64, valFrac, testFrac float64) (train, val, test []Conversation) {
	n := len(u.Conversations)
	if n < 3 {
		return slices.Clone(u.Conversations), nil, nil
	}
	nTest := clampInt(roundFrac(testFrac, n), 1, n-2)
	nVal := clampInt(roundFrac(valFrac, n), 1, n-1-nTest)
	return splitByCounts(u.Conversations, splitSeed(seed, u.ID), nVal, nTest)
}

// HoldOut sets aside a fraction of convs (a training file's conversations)
// for validation, whole conversations only: round(frac·n) of them, at least
// one when frac > 0 and there are two or more, and never all. It draws the
// same way Split does, with the seed alone (there is no user ID).
func HoldOut(convs []Conversation, seed uint64, frac float64) (train, val []Conversation) {
	n, nVal := len(convs), 0
	if frac > 0 && n > 1 {
		nVal = clampInt(roundFrac(frac, n), 1, n-1)
	}
	train, val, _ = splitByCounts(convs, splitSeed(seed, ""), nVal, 0)
	return train, val
}

// splitByCounts draws a permutation from state: its first nTest indices are
// test, the next nVal validation, the rest train, each set in the original
// order.
func splitByCounts(convs []Conversation, state uint64, nVal, nTest int) (train, val, test []Conversation) {
	n := len(convs)
	perm := permutation(n, state)
	set := make([]int, n) // 0 train, 1 val, 2 test
	for i, idx := range perm {
		switch {
		case i < nTest:
			set[idx] = 2
		case i < nTest+nVal:
			set[idx] = 1
		}
	}
	for i, c := range convs {
		switch set[i] {
		case 0:
			train = append(train, c)
		case 1:
			val = append(val, c)
		default:
			test = append(test, c)
		}
	}
	return train, val, test
}

func roundFrac(frac float64, n int) int {
	if !(frac > 0) { // also catches NaN
		return 0
	}
	return int(math.Round(math.Min(frac, 1) * float64(n)))
}

func clampInt(x, lo, hi int) int { return max(lo, min(x, hi)) }

// splitSeed mixes the caller's seed with the user ID so users get independent
// splits from one global seed.
func splitSeed(seed uint64, id string) uint64 {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(id))
	return binary.LittleEndian.Uint64(h.Sum(nil))
}

// permutation is a Fisher–Yates shuffle of 0..n−1 driven by splitmix64.
func permutation(n int, state uint64) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := n - 1; i > 0; i-- {
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		j := int(z % uint64(i+1)) // modulo bias < 2^-50 for any realistic n
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}
