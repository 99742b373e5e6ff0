// Package memory is MaLP's short-term memory for one user: recent
// conversation turns kept as text on disk and retrieved by BM25 to be placed
// in the prompt, until they are consolidated into the user's long-term LoRA
// adapter and cleared.
//
// # On-disk layout
//
//	<root>/<user>/short_term.jsonl
//
// one turn per line, in the order they happened:
//
//	{"role":"user","content":"My knee hurts.","time":"2024-05-01T10:00:00Z"}
//	{"role":"assistant","content":"Since when?","time":"2024-05-01T10:00:03Z"}
//
// time is RFC 3339 (with nanoseconds when present), role is "user",
// "assistant" or "system", content is the message text. <user> is the same ID
// as in package userdata (letters, digits, '.', '_', '-'; no leading '.').
//
// # Atomicity
//
// Append rewrites the whole file: it writes old plus new lines to a temporary
// file in the same directory, fsyncs it, renames it over short_term.jsonl and
// fsyncs the directory. A reader or a crash therefore sees either the old file
// or the new one, never a half-written line, and a batch of turns (a user
// message with its reply) lands all together or not at all. O_APPEND would
// be cheaper but a crash can leave a torn last line; the short-term store is
// small by design (each consolidation takes its turns away), so the O(size) copy
// costs nothing that matters. Every writer holds the lock file
// short_term.jsonl.lock (an OS file lock, so it serialises processes as well
// as goroutines, and the kernel releases it if its holder dies) around its
// read-modify-write, so concurrent chats of one user lose no turn. Readers
// take no lock: a rename is atomic, so they see a whole file.
//
// A consolidation removes only the turns it read (RemoveFirst), so turns
// appended while it was training stay in the store.
//
// # Retrieval
//
// The retrievable unit is an exchange: a user turn together with the
// assistant (and system) turns that follow it up to the next user turn;
// leading non-user turns form an exchange of their own. Exchanges are ranked
// by Okapi BM25 (see Index) over their message contents, with stop words
// removed, and FormatContext renders the chosen turns for the prompt.
package memory
