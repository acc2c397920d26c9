package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/conference-irc/conference/tests/harness"
)

// irssi is one irssi process running inside a tmux session of its own (on
// a private tmux socket), typed at with send-keys and read through its logs:
// log is everything irssi printed, and autolog writes one file per channel
// or query under logs/<server tag>/.
type irssi struct {
	t    *testing.T
	tmux string
	sock string
	home string
	log  string
}

// irssiConfig makes each step immediate: no command queue delay, no
// WHO/MODE burst to wait for after a join, and mode changes shown at once
// rather than grouped for a few seconds.
const irssiConfig = `settings = {
  core = {
    nick = "%[1]s";
    user_name = "%[1]s";
    real_name = "irssi %[1]s";
    settings_autosave = "no";
  };
  "irc/core" = {
    cmd_queue_speed = "0msec";
    cmds_max_at_once = "1000";
    channel_sync = "no";
  };
  "fe-common/core" = {
    autolog = "yes";
    autolog_path = "%[2]s/logs/$tag/$0.log";
    autolog_level = "all";
  };
  "fe-common/irc" = { group_multi_mode = "no"; };
};
logs = { "%[2]s/irssi.log" = { auto_open = "yes"; level = "ALL"; }; };
`

// startIrssi starts irssi under tmux as nick, connects it to srv, and waits
// until it has registered.
func startIrssi(t *testing.T, srv *harness.Server, nick string) *irssi {
	t.Helper()
	return startIrssiWith(t, nick, "/connect 127.0.0.1 "+port(srv))
}

// startIrssiWith starts irssi as nick, connects it with the given /connect
// command line, and waits until it has registered.
func startIrssiWith(t *testing.T, nick, connect string) *irssi {
	t.Helper()
	c := launchIrssi(t, nick)
	c.cmd(connect)
	c.waitLog(lit("End of /MOTD"))
	return c
}

// launchIrssi starts irssi under tmux as nick, not connected to anything.
func launchIrssi(t *testing.T, nick string) *irssi {
	t.Helper()
	bin := needBinary(t, "irssi")
	tmux := needBinary(t, "tmux")
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "config"), []byte(fmt.Sprintf(irssiConfig, nick, home)), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &irssi{t: t, tmux: tmux, sock: filepath.Join(home, "tmux.sock"), home: home, log: filepath.Join(home, "irssi.log")}
	c.run("new-session", "-d", "-s", "irssi", "-x", "200", "-y", "50", bin+" --home="+home)
	t.Cleanup(c.stop)
	// Type nothing before irssi has its terminal set up.
	c.waitLog(lit("Irssi v"))
	return c
}

// run runs one tmux command against this irssi's private tmux server.
func (c *irssi) run(args ...string) {
	c.t.Helper()
	cmd := exec.Command(c.tmux, append([]string{"-f", "/dev/null", "-S", c.sock}, args...)...)
	cmd.Env = childEnv(c.home)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// cmd types one line into irssi, literally, then Enter.
func (c *irssi) cmd(line string) {
	c.t.Helper()
	c.run("send-keys", "-t", "irssi", "-l", line)
	c.run("send-keys", "-t", "irssi", "Enter")
}

// waitLog waits for a line of everything irssi printed.
func (c *irssi) waitLog(re *regexp.Regexp) string {
	c.t.Helper()
	return waitFile(c.t, c.log, re)
}

// waitWindow waits for a line in the autolog of a channel or query.
func (c *irssi) waitWindow(target string, re *regexp.Regexp) string {
	c.t.Helper()
	return waitFile(c.t, filepath.Join(c.home, "logs", "*", strings.ToLower(target)+".log"), re)
}

// alive reports whether irssi's tmux session still exists (irssi has not
// exited).
func (c *irssi) alive() bool {
	cmd := exec.Command(c.tmux, "-f", "/dev/null", "-S", c.sock, "has-session", "-t", "irssi")
	cmd.Env = childEnv(c.home)
	return cmd.Run() == nil
}

// waitExit waits for irssi to end by itself (after /quit).
func (c *irssi) waitExit() {
	c.t.Helper()
	deadline := time.Now().Add(exitLimit)
	for c.alive() {
		if time.Now().After(deadline) {
			c.t.Fatalf("irssi still running %s after /quit", exitLimit)
		}
		time.Sleep(pollEvery)
	}
}

// stop ends the tmux session this test created, and its tmux server;
// when the test failed it first logs what irssi printed.
func (c *irssi) stop() {
	if c.t.Failed() {
		c.t.Logf("irssi printed:\n%s", tail(readFile(c.log), 60))
	}
	for _, args := range [][]string{{"kill-session", "-t", "irssi"}, {"kill-server"}} {
		cmd := exec.Command(c.tmux, append([]string{"-f", "/dev/null", "-S", c.sock}, args...)...)
		cmd.Env = childEnv(c.home)
		_ = cmd.Run() // already gone after /quit
	}
}

// TestIrssi drives irssi through a whole session and checks both what
// irssi showed and what the server relayed to the observer.
func TestIrssi(t *testing.T) {
	srv, obs := startServer(t)
	c := startIrssi(t, srv, "irssiu")

	acked := c.waitLog(lit("Capabilities acknowledged"))
	t.Logf("irssi: %s", acked)

	c.cmd("/join " + chanMain + "," + chanStay)
	expectFrom(obs, "JOIN", "irssiu", []string{chanMain}, "")
	expectFrom(obs, "JOIN", "irssiu", []string{chanStay}, "")
	c.waitWindow(chanMain, rx(`irssiu \[~irssiu@127\.0\.0\.1\] has joined %s`, chanMain))
	c.waitWindow(chanMain, lit("@observer")) // the names list
	giveOp(obs, "irssiu")
	c.waitWindow(chanMain, rx(`mode/%s \[\+o irssiu\] by observer`, chanMain))

	c.cmd("/msg " + chanMain + " hello from irssi")
	expectFrom(obs, "PRIVMSG", "irssiu", []string{chanMain}, "hello from irssi")
	c.waitWindow(chanMain, rx(`<@irssiu> hello from irssi`))

	obs.Send("PRIVMSG " + chanMain + " :hello irssi, from observer")
	c.waitWindow(chanMain, rx(`<@observer> hello irssi, from observer`))

	c.cmd("/msg observer psst observer")
	expectFrom(obs, "PRIVMSG", "irssiu", []string{"observer"}, "psst observer")
	c.waitWindow("observer", rx(`<irssiu> psst observer`))

	obs.Send("PRIVMSG irssiu :psst irssi")
	c.waitWindow("observer", rx(`<observer> psst irssi`))

	c.cmd("/nick irssi2")
	expectFrom(obs, "NICK", "irssiu", nil, "irssi2")
	c.waitWindow(chanMain, lit("You're now known as irssi2"))

	c.cmd("/topic " + chanMain + " topic by irssi")
	expectFrom(obs, "TOPIC", "irssi2", []string{chanMain}, "topic by irssi")
	c.waitWindow(chanMain, rx(`irssi2 changed the topic of %s to: topic by irssi`, chanMain))

	c.cmd("/part " + chanMain + " bye from irssi")
	expectFrom(obs, "PART", "irssi2", []string{chanMain}, "bye from irssi")
	c.waitWindow(chanMain, rx(`irssi2 \[~irssiu@127\.0\.0\.1\] has left %s \[bye from irssi\]`, chanMain))

	c.cmd("/quit irssi leaving")
	expectFrom(obs, "QUIT", "irssi2", nil, "irssi leaving")
	c.waitExit()
	noUnknownCommand(t, "irssi", readFile(c.log))
}
