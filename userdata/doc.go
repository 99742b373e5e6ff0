// Package userdata holds the users whose replies milp-lite personalises and
// their conversation history: importers for Synthetic-Persona-Chat and MaLP,
// a per-user JSONL layout on disk, a train/val/test split by conversation and
// the (context, reply) pairs used for evaluation.
//
// # Layout
//
// One directory per dataset, one file per user, <dir>/<id>.jsonl. The first
// line is the profile, every following line one conversation in the chat
// fine-tuning "messages" format:
//
//	{"user":"spc-1a2b3c4d","persona":["I love to bake cookies.","I have a dogs."],"source":"...","licence":"..."}
//	{"messages":[{"role":"user","content":"Hi!"},{"role":"assistant","content":"Hello! I was just baking."}]}
//
// role is "user", "assistant" or "system". "assistant" is always the persona
// holder, the side whose replies are being personalised (in SPC the persona's
// own lines; in MaLP the doctor's replies to the patients). IDs use letters,
// digits, '.', '_' and '-' and do not start with '.'; the profile's "user"
// must equal the file name. Blank lines are ignored. FORMAT.md has the full
// description, including how each dataset is mapped.
//
// Save writes each file atomically (temp file + fsync + rename); Load and
// LoadUser report a malformed line as "<file>:<line>: ...".
package userdata
