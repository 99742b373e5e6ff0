// Package safetensors reads and writes Hugging Face's safetensors files: an
// 8-byte little-endian header length N, N bytes of JSON mapping each tensor's
// name to its dtype, shape and [begin, end) byte offsets into the data that
// follows (plus an optional "__metadata__" map of strings), then the tensors'
// raw little-endian bytes.
//
// Files are untrusted: the header is capped (MaxHeaderBytes), every tensor's
// offsets must lie inside the file and cover the data exactly once, in order,
// without holes (as the reference implementation requires), and its byte
// length must be exactly what its dtype and shape imply, computed without
// overflow. Tensor data is read only when asked for, into a buffer of that
// checked length.
package safetensors
