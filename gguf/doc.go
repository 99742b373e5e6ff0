// Package gguf reads and writes GGUF (versions 2 and 3), the file format
// llama.cpp uses for models and vocabularies.
//
// # Format
//
// A GGUF file is little-endian throughout:
//
//	magic "GGUF" | u32 version | u64 tensor_count | u64 kv_count
//	kv_count × (key: string | u32 value type | value)
//	tensor_count × (name: string | u32 n_dims | n_dims × u64 ne | u32 ggml type | u64 offset)
//	zero padding up to a multiple of the alignment (general.alignment, default 32)
//	tensor data: each tensor at DataOffset + offset, offsets multiples of the alignment
//
// A string is a u64 byte length and the bytes. A value is one of thirteen types
// (ids 0..12: u8, i8, u16, i16, u32, i32, f32, bool, string, array, u64, i64,
// f64); an array is a u32 element type, a u64 count and the elements, which may
// themselves be arrays. Version 1 (32-bit counts) and big-endian files are
// rejected with an error saying so.
//
// # Reading
//
// Open maps a file read-only (or reads it where mapping is unavailable) and
// Parse takes bytes already in memory; both validate the whole header and return
// a File. Metadata is copied out of the input (arrays into typed slices, so a
// 150k-token vocabulary costs a few allocations, not 150k) and stays valid after
// Close; TensorData returns slices of the input itself.
//
// Safety: every count, length, offset and size read from the input is checked
// against the bytes actually remaining before it is used to allocate or to
// slice, with overflow-checked arithmetic. A corrupt, truncated or hostile input
// produces an error naming the field and its byte offset, never a panic, and
// the memory Parse allocates is bounded by a small multiple of the input size.
// Checked are: magic and version; tensor and kv counts against the bytes left;
// string lengths and array counts; value and element type ids; bools (0 or 1);
// array nesting depth (at most 16); duplicate keys and tensor names;
// general.alignment (a u32 power of two); tensor dims (at most 4, none zero,
// element count and byte size within int64, rows whole blocks); tensor types
// (known to package quant); offsets (aligned, data inside the file, no two
// tensors overlapping).
//
// # Writing
//
// A Builder collects metadata (Set, with constructors such as U32, F32, Str,
// StringArray) and tensors (AddTensor), then writes a file with WriteTo or,
// atomically, WriteFile. File.Builder returns a Builder that reproduces the
// parsed file byte for byte: same version, key order and value types, tensor
// order, offsets, alignment and padding.
package gguf
