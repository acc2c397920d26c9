package interop

import (
	"testing"
)

// TestIRCFrameworkHistory is a client that went away and comes back:
// irc-framework reconnects, asks for draft/chathistory and fetches what
// the channel said meanwhile, which it reports as ordinary messages with
// their original time.
func TestIRCFrameworkHistory(t *testing.T) {
	srv, obs := startServer(t)
	b := startBot(t, srv, "histbot")
	b.join(chanMain)
	expectFrom(obs, "JOIN", "histbot", []string{chanMain}, "")
	obs.Send("PRIVMSG " + chanMain + " :before you left")
	b.privmsg("observer", chanMain, "before you left")
	b.quit("phone asleep")
	expectFrom(obs, "QUIT", "histbot", nil, "phone asleep")

	obs.Send("PRIVMSG " + chanMain + " :while you were away")
	obs.Send("PRIVMSG " + chanMain + " :and more")
	obs.Sync()

	b = startBot(t, srv, "histbot")
	b.join(chanMain)
	b.wait("its join", func(e botEvent) bool { return e.Event == "join" && e.Nick == "histbot" && e.Channel == chanMain })
	b.send(map[string]string{"cmd": "raw", "line": "CAP REQ :draft/chathistory"})
	b.rawIn("ACK :draft/chathistory")
	b.send(map[string]string{"cmd": "raw", "line": "CHATHISTORY LATEST " + chanMain + " * 10"})
	for _, text := range []string{"before you left", "while you were away", "and more"} {
		e := b.privmsg("observer", chanMain, text)
		if e.Time == nil || e.Tags["msgid"] == nil {
			t.Errorf("history message %q without its time or msgid: %s", text, e.json)
		}
	}
	b.rawIn("BATCH -")
	b.noErrors()
}
