package interop

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// The chat page in a real browser: headless Chromium driven over the
// DevTools protocol (chromedp), against the real server.

// browser starts headless Chromium with a fresh profile and no network
// beyond loopback, and returns a context for its first tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := needBinary(t, "chromium")
	// Chromium's helpers may still write the profile for a moment after the
	// browser is gone, which t.TempDir's strict cleanup would report.
	profile, err := os.MkdirTemp("", "conference-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 800),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// tab opens another tab in the same browser.
func tab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	// The first Run opens the tab and ties it to its context: run it on
	// this one, not on a timeout that ends with the first action.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// run runs browser actions, bounded by the harness timeout.
func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, harness.Timeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// waitJS waits until a JavaScript expression is true in the page.
func waitJS(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingInterval(20*time.Millisecond))
}

// logHas is a JavaScript test that the shown conversation has text.
func logHas(text string) string {
	return `document.getElementById("log").textContent.includes(` + jsString(text) + `)`
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "<", `\x3c`)
	return `"` + r.Replace(s) + `"`
}

// login opens the page at url and connects as nick.
func login(t *testing.T, ctx context.Context, url, nick string) {
	t.Helper()
	run(t, ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible("#nick", chromedp.ByID),
		chromedp.SetValue("#nick", nick, chromedp.ByID),
		chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
		waitJS(`[...document.querySelectorAll("#nicks li")].some(li => li.textContent.endsWith(`+jsString(nick)+`))`),
	)
}

// say types a message into the page.
func say(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	run(t, ctx,
		chromedp.SetValue("#input", text, chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("input-form").requestSubmit()`, nil),
	)
}

// startWeb starts a server with an HTTP listener at a fixed free port (so
// that a second server can take it after the first stops).
func startWeb(t *testing.T, addr string) (*harness.Server, string) {
	t.Helper()
	srv := harness.Start(t, "listeners:\n  - {address: \""+addr+"\", http: true, websocket: {enabled: true}}\n")
	return srv, "http://" + srv.ListenerAddr(t, 1)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestBrowserChat(t *testing.T) {
	b := browser(t)
	srv, base := startWeb(t, "127.0.0.1:0")
	alice := srv.Register(t, "alice")
	alice.Send("JOIN #lobby")
	alice.ExpectNumeric("366")

	// Two pages follow the #lobby link.
	page1, page2 := b, tab(t, b)
	login(t, page1, base+"/#lobby", "web1")
	login(t, page2, base+"/#lobby", "web2")
	run(t, page1, waitJS(`location.hash === "#lobby" && document.getElementById("title").textContent === "#lobby"`))

	say(t, page1, "hello from the browser")
	alice.Expect(func(m *irc.Message) bool { return m.Command == "PRIVMSG" && m.Trailing() == "hello from the browser" })
	run(t, page2, waitJS(logHas("hello from the browser")))
	alice.Send("PRIVMSG #lobby :hello from irc")
	run(t, page1, waitJS(logHas("hello from irc")))
	run(t, page2, waitJS(logHas("hello from irc")))

	// Nothing from the network becomes markup: a topic, a message and an
	// action that try to run script show as text.
	alice.Send("TOPIC #lobby :<img src=x onerror=\"window.pwned=1\">")
	alice.Send("PRIVMSG #lobby :<script>window.pwned=1</script>")
	alice.Send("PRIVMSG #lobby :\x01ACTION <b onmouseover=\"window.pwned=1\">bold</b>\x01")
	alice.Send("PRIVMSG web1 :<iframe src=\"javascript:window.pwned=1\"></iframe>")
	for _, p := range []context.Context{page1, page2} {
		run(t, p, waitJS(logHas("<script>window.pwned=1</script>")))
		run(t, p, waitJS(`document.getElementById("topic").textContent === "<img src=x onerror=\"window.pwned=1\">"`))
		run(t, p, waitJS(logHas(`<b onmouseover="window.pwned=1">bold</b>`)))
	}
	run(t, page1, waitJS(`[...document.querySelectorAll("#buffers .name")].some(n => n.textContent === "alice")`))
	var clean bool
	run(t, page1, chromedp.Evaluate(`window.pwned === undefined && document.querySelectorAll("#log script, #log img, #log b, #log iframe, #topic img").length === 0`, &clean))
	if !clean {
		t.Error("text from the network was turned into markup")
	}

	if dir := os.Getenv("CONFERENCE_SCREENSHOTS"); dir != "" {
		screenshots(t, page2, dir)
	}
}

// screenshots writes the page at desktop and phone width.
func screenshots(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	for _, s := range []struct {
		name string
		w, h int64
	}{{"web-desktop.png", 1280, 800}, {"web-phone.png", 390, 844}} {
		var png []byte
		run(t, ctx, chromedp.EmulateViewport(s.w, s.h), chromedp.Sleep(0), chromedp.CaptureScreenshot(&png))
		if err := os.WriteFile(filepath.Join(dir, s.name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBrowserReconnects(t *testing.T) {
	b := browser(t)
	addr := freeAddr(t)
	srv, base := startWeb(t, addr)
	login(t, b, base+"/#back", "phoenix")
	srv.Srv.Shutdown("restarting", 5*time.Second)
	run(t, b, waitJS(`document.getElementById("status").textContent.includes("retrying")`))
	srv2, _ := startWeb(t, addr)
	watcher := srv2.Register(t, "watcher")
	watcher.Send("JOIN #back")
	watcher.ExpectNumeric("366")
	run(t, b, waitJS(`[...document.querySelectorAll("#nicks li")].some(li => li.textContent.endsWith("phoenix"))`))
	say(t, b, "I am back")
	watcher.Expect(func(m *irc.Message) bool { return m.Command == "PRIVMSG" && m.Trailing() == "I am back" })
}
