package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// decoder is a little-endian cursor over the file bytes. Every read checks the
// bytes remaining first, so a bad length can never slice past the end or drive
// an allocation larger than the input.
type decoder struct {
	buf []byte
	pos int
}

// remaining is how many bytes are left after the cursor.
func (d *decoder) remaining() int { return len(d.buf) - d.pos }

// truncated is the error for a read of n bytes that does not fit.
func (d *decoder) truncated(n uint64, what string) error {
	return fmt.Errorf("truncated at byte %d reading %s (need %d bytes, %d left)", d.pos, what, n, d.remaining())
}

// take returns the next n bytes and advances past them.
func (d *decoder) take(n uint64, what string) ([]byte, error) {
	if n > uint64(d.remaining()) {
		return nil, d.truncated(n, what)
	}
	b := d.buf[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

func (d *decoder) u32(what string) (uint32, error) {
	b, err := d.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (d *decoder) u64(what string) (uint64, error) {
	b, err := d.take(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a u64 count of items each taking at least minSize bytes, and
// rejects it unless that many items could fit in the bytes left. Callers may then
// allocate count items: the allocation is bounded by the input size.
func (d *decoder) count(what string, minSize int) (int, error) {
	at := d.pos
	n, err := d.u64(what)
	if err != nil {
		return 0, err
	}
	if minSize < 1 {
		minSize = 1
	}
	if n > uint64(d.remaining())/uint64(minSize) || n > math.MaxInt32 {
		return 0, fmt.Errorf("%s %d at byte %d cannot fit in the %d bytes left", what, n, at, d.remaining())
	}
	return int(n), nil
}

// stringBytes reads a GGUF string (u64 length + bytes) and returns its bytes,
// still pointing into the input.
func (d *decoder) stringBytes(what string) ([]byte, error) {
	at := d.pos
	n, err := d.u64("string length")
	if err != nil {
		return nil, err
	}
	if n > uint64(d.remaining()) {
		return nil, fmt.Errorf("length %d of %s at byte %d runs past the end of the file (%d bytes left)", n, what, at, d.remaining())
	}
	return d.take(n, what)
}

// string reads a GGUF string and copies it, so it outlives the input mapping.
func (d *decoder) string(what string) (string, error) {
	b, err := d.stringBytes(what)
	return string(b), err
}
