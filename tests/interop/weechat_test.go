package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

// weechat is one weechat-headless process with its own --dir, driven
// through its fifo plugin and read through its logger files
// (logs/<buffer>.weechatlog, flushed at once).
type weechat struct {
	t    *testing.T
	dir  string
	fifo string
	proc *process
	out  *lockedBuffer
}

// weechatAntiFlood is the /set that turns off WeeChat's own send delay,
// whose option changed name in WeeChat 4.0.
func weechatAntiFlood(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	version := strings.TrimSpace(string(out))
	major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	t.Logf("weechat-headless %s", version)
	if major >= 4 {
		return "/set irc.server_default.anti_flood 0"
	}
	return "/set irc.server_default.anti_flood_prio_high 0; /set irc.server_default.anti_flood_prio_low 0"
}

// startWeechat starts weechat-headless, adds the server as "x" through the
// fifo, connects as nick and waits until it has registered.
func startWeechat(t *testing.T, srv *harness.Server, nick string) *weechat {
	t.Helper()
	return startWeechatAt(t, "127.0.0.1/"+port(srv)+" -notls", nick)
}

// startWeechatAt starts weechat-headless and adds the server as "x" with
// the given address and options (of /server add), then connects as nick.
func startWeechatAt(t *testing.T, server, nick string) *weechat {
	t.Helper()
	bin := needBinary(t, "weechat-headless")
	dir := t.TempDir()
	w := &weechat{t: t, dir: dir, fifo: filepath.Join(dir, "fifo"), out: &lockedBuffer{}}
	setup := strings.Join([]string{
		"/set fifo.file.path " + w.fifo,
		"/set logger.file.flush_delay 0",
		"/set irc.server_default.autoreconnect off",
		weechatAntiFlood(t, bin),
	}, "; ")
	// Only the plugins the test uses; no scripts.
	cmd := exec.Command(bin, "--dir", dir, "--stdout", "--no-script", "--plugins", "irc,fifo,logger", "--run-command", setup)
	cmd.Env = childEnv(dir)
	cmd.Stdout, cmd.Stderr = w.out, w.out
	w.proc = startProcess(t, cmd)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("weechat stdout:\n%s", tail(w.out.String(), 20))
			paths, _ := filepath.Glob(filepath.Join(dir, "logs", "*.weechatlog"))
			for _, p := range paths {
				t.Logf("%s:\n%s", filepath.Base(p), tail(readFile(p), 40))
			}
		}
	})
	waitFor(t, "weechat to create its fifo "+w.fifo+" (is the fifo plugin, Debian package weechat-plugins, installed?)",
		func() bool { _, err := os.Stat(w.fifo); return err == nil },
		func() string {
			return tail(w.out.String(), 20) + "\n" + tail(readFile(filepath.Join(dir, "logs", "core.weechat.weechatlog")), 20)
		})
	w.cmd("", "/server add x "+server+" -nicks="+nick+" -username="+nick+" -realname=weechat_"+nick)
	w.cmd("", "/connect x")
	w.waitLog("irc.server.x", lit("End of /MOTD"))
	return w
}

// cmd sends one line to a buffer through the fifo ("" is the current one):
// a command starting with "/" or text to say there.
func (w *weechat) cmd(buffer, line string) {
	w.t.Helper()
	if buffer != "" {
		buffer += " "
	}
	writeFIFO(w.t, w.fifo, buffer+"*"+line)
}

// waitLog waits for a line in a buffer's log, e.g. "irc.x.#interop".
func (w *weechat) waitLog(buffer string, re *regexp.Regexp) string {
	w.t.Helper()
	return waitFile(w.t, filepath.Join(w.dir, "logs", strings.ToLower(buffer)+".weechatlog"), re)
}

// TestWeechat drives weechat-headless through a whole session and checks
// both what WeeChat logged and what the server relayed to the observer.
func TestWeechat(t *testing.T) {
	srv, obs := startServer(t)
	w := startWeechat(t, srv, "weeu")
	const server, channel = "irc.server.x", "irc.x." + chanMain

	t.Logf("weechat: %s", w.waitLog(server, lit("client capability, enabled:")))

	w.cmd(server, "/join "+chanMain+","+chanStay)
	expectFrom(obs, "JOIN", "weeu", []string{chanMain}, "")
	expectFrom(obs, "JOIN", "weeu", []string{chanStay}, "")
	w.waitLog(channel, rx(`weeu .*\(~weeu@127\.0\.0\.1\) has joined %s`, chanMain))
	w.waitLog(channel, rx(`Channel %s: 2 nicks \(1 op`, chanMain))
	giveOp(obs, "weeu")
	w.waitLog(channel, rx(`Mode %s \[\+o weeu\] by observer`, chanMain))

	w.cmd(channel, "hello from weechat")
	expectFrom(obs, "PRIVMSG", "weeu", []string{chanMain}, "hello from weechat")
	w.waitLog(channel, rx(`\t@weeu\thello from weechat$`))

	obs.Send("PRIVMSG " + chanMain + " :hello weechat, from observer")
	w.waitLog(channel, rx(`\t@observer\thello weechat, from observer$`))

	w.cmd(server, "/msg observer psst observer")
	expectFrom(obs, "PRIVMSG", "weeu", []string{"observer"}, "psst observer")
	w.waitLog(server, rx(`MSG\(observer\): psst observer$`))

	obs.Send("PRIVMSG weeu :psst weechat")
	w.waitLog("irc.x.observer", rx(`\tobserver\tpsst weechat$`))

	w.cmd(server, "/nick wee2")
	expectFrom(obs, "NICK", "weeu", nil, "wee2")
	w.waitLog(channel, lit("You are now known as wee2"))

	w.cmd(channel, "/topic topic by weechat")
	expectFrom(obs, "TOPIC", "wee2", []string{chanMain}, "topic by weechat")
	w.waitLog(channel, rx(`wee2 has changed topic for %s to "topic by weechat"`, chanMain))

	w.cmd(channel, "/part bye from weechat")
	expectFrom(obs, "PART", "wee2", []string{chanMain}, "bye from weechat")
	w.waitLog(channel, rx(`wee2 \(~weeu@127\.0\.0\.1\) has left %s \(bye from weechat\)`, chanMain))

	// WeeChat's /quit sends QUIT with the reason and ends WeeChat.
	w.cmd(server, "/quit weechat leaving")
	expectFrom(obs, "QUIT", "wee2", nil, "weechat leaving")
	if err := w.proc.waitExit(t); err != nil {
		t.Errorf("weechat exited with %v", err)
	}
	noUnknownCommand(t, "weechat", readFile(filepath.Join(w.dir, "logs", server+".weechatlog")))
}
