// Package serve is milp-lite's multi-user server: one model, every user's
// memories, over an OpenAI-compatible HTTP API.
//
// Requests become sequences of one nn.Batch (engine.go), advanced together a
// step at a time, each with the adapter of the user who sent it (the
// adapter cache, adapters.go) and the short-term memories BM25 retrieves
// from that user's store for its last message (chat.go). Users, their keys
// and their jobs live in a store.Store (users.go, keys.go, jobs.go): the
// store folder, or one shared by many nodes; jobs run on package worker's
// Trainer, here or on remote workers. Every user sees only their own
// memories (auth.go). Limits on every request
// (limits.go), Prometheus metrics (metrics.go) and a chat page (page/) make
// the rest of the server.
package serve
