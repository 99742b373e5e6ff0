package serve

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser finds a Chromium to drive: .ci/run installs Debian's, so in CI a
// missing browser fails the test rather than skipping it.
func browser(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on this machine: .ci/run installs Debian's chromium")
	}
	t.Skip("no Chromium on this machine (apt-get install chromium)")
	return ""
}

// TestChatPageInABrowser drives the embedded chat page in headless
// Chromium: sign in with a key, send a message, see the reply stream in with
// the memories retrieved for it and the adapter version, consolidate.
func TestChatPageInABrowser(t *testing.T) {
	exe := browser(t)
	const admin = "admin-key-0123456789abcdef"
	// The page sends no seed: a fixed one makes its sampled reply the same
	// on every run (with the clock's, the model's end of text came first
	// in about one run of thirty, an empty reply).
	ts := startServer(t, admin, func(o *Options) {
		o.Setup.Recipe.TrainCtx = 128
		o.Seeds = func() uint64 { return 7 }
	})
	key := ts.createUser(t, admin, "alice")
	ts.call(t, "POST", "/v1/chat/completions", key, `{"messages": [{"role": "user", "content": "My cat is called Tom."}], "max_tokens": 6}`, nil)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	step("sign in", chromedp.Navigate(ts.url+"/"), chromedp.SendKeys(chromedp.ID("key"), key), chromedp.Click(chromedp.CSS("#signin button")),
		chromedp.WaitEnabled(chromedp.ID("send")))
	step("send", chromedp.SendKeys(chromedp.ID("message"), "Do you remember my cat Tom?"), chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS("#log li.assistant.done")))
	who, reply := text("#who"), text("#log li.assistant.done .text")
	adapter, memories := text("#log li.assistant.done .meta .adapter"), text("#log li.assistant.done .meta .memories")
	step("consolidate", chromedp.Click(chromedp.ID("consolidate")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("status").textContent.startsWith("Consolidated")`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("consolidate: %v (status %q)", err, text("#status"))
	}
	status := text("#status")
	if !strings.Contains(who, "alice") || strings.TrimSpace(reply) == "" || !strings.Contains(adapter, "no adapter") ||
		!strings.Contains(memories, "My cat is called Tom.") || !strings.Contains(status, "adapter version 1") {
		t.Fatalf("page: who %q, reply %q, adapter %q, memories %q, status %q", who, reply, adapter, memories, status)
	}
}
