// The chat page: sign in with a user key (or, on a key-less server, a user
// ID), send messages, see each reply stream in with the short-term
// memories retrieved for it and the adapter version that answered, and
// consolidate short-term memory into the adapter.
"use strict";

const $ = (id) => document.getElementById(id);
let key = sessionStorage.getItem("milp-key") || "";
let user = sessionStorage.getItem("milp-user") || "";
const history = [];

function headers() {
  const h = { "Content-Type": "application/json" };
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

function status(text) { $("status").textContent = text || ""; }

async function errorText(resp) {
  try { return (await resp.json()).error.message; } catch { return resp.status + " " + resp.statusText; }
}

async function signIn(ev) {
  if (ev) ev.preventDefault();
  key = $("key").value.trim() || key;
  const asked = $("user").value.trim();
  const resp = await fetch("/v1/me", { headers: headers() });
  if (!resp.ok) { status(await errorText(resp)); return; }
  const me = await resp.json();
  user = me.user || asked;
  if (!user) { status("Enter your API key (or a user ID on a key-less server)."); return; }
  sessionStorage.setItem("milp-key", key);
  sessionStorage.setItem("milp-user", user);
  $("who").textContent = "Signed in as " + user;
  for (const id of ["message", "send", "consolidate"]) $(id).disabled = false;
  status("");
}

function addEntry(role, text) {
  const li = document.createElement("li");
  li.className = role;
  const body = document.createElement("div");
  body.className = "text";
  body.textContent = text;
  li.appendChild(body);
  $("log").appendChild(li);
  return li;
}

function showMeta(li, milp) {
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.dataset.adapterVersion = milp.adapter_version;
  const v = document.createElement("span");
  v.className = "adapter";
  v.textContent = milp.adapter_version ? "adapter version " + milp.adapter_version : "no adapter yet (base model)";
  meta.appendChild(v);
  if (milp.memories && milp.memories.length) {
    const ul = document.createElement("ul");
    ul.className = "memories";
    for (const m of milp.memories) {
      const item = document.createElement("li");
      item.textContent = m.role + ": " + m.content;
      ul.appendChild(item);
    }
    meta.appendChild(document.createTextNode(" · memories retrieved:"));
    meta.appendChild(ul);
  } else {
    meta.appendChild(document.createTextNode(" · no memories retrieved"));
  }
  li.appendChild(meta);
}

async function send(ev) {
  ev.preventDefault();
  const text = $("message").value.trim();
  if (!text) return;
  $("message").value = "";
  $("send").disabled = true;
  addEntry("user", text);
  history.push({ role: "user", content: text });
  const li = addEntry("assistant", "");
  const out = li.querySelector(".text");
  try {
    const body = { messages: history.slice(-12), stream: true, max_tokens: 128 };
    if (!key) body.user = user;
    const resp = await fetch("/v1/chat/completions", { method: "POST", headers: headers(), body: JSON.stringify(body) });
    if (!resp.ok) { status(await errorText(resp)); return; }
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (!event.startsWith("data: ")) continue;
        const data = event.slice(6);
        if (data === "[DONE]") { li.classList.add("done"); continue; }
        const chunk = JSON.parse(data);
        if (chunk.milp) showMeta(li, chunk.milp);
        for (const c of chunk.choices || []) if (c.delta && c.delta.content) out.textContent += c.delta.content;
      }
    }
    history.push({ role: "assistant", content: out.textContent });
    status("");
  } catch (err) {
    status(String(err));
  } finally {
    $("send").disabled = false;
  }
}

async function consolidate() {
  $("consolidate").disabled = true;
  status("Consolidating short-term memory into the adapter…");
  try {
    let resp = await fetch("/v1/users/" + encodeURIComponent(user) + "/jobs",
      { method: "POST", headers: headers(), body: JSON.stringify({ kind: "consolidate" }) });
    if (!resp.ok) { status(await errorText(resp)); return; }
    const job = await resp.json();
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      resp = await fetch("/v1/jobs/" + job.id, { headers: headers() });
      const j = await resp.json();
      if (j.state === "done") { status("Consolidated: adapter version " + j.adapter_version + "."); return; }
      if (j.state === "failed") { status("Consolidation failed: " + j.error); return; }
    }
  } finally {
    $("consolidate").disabled = false;
  }
}

$("signin").addEventListener("submit", signIn);
$("compose").addEventListener("submit", send);
$("consolidate").addEventListener("click", consolidate);
$("message").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("compose").requestSubmit(); }
});
if (key || user) { $("user").value = user; signIn(); }
