package tests

import (
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

func TestMarkread(t *testing.T) {
	srv, _, _, _, times := historyRoom(t, "")
	caps := append(historyCaps, "draft/read-marker")
	phone := srv.Register(t, "phone", caps...)
	laptop := srv.Register(t, "laptop", caps...)
	other := srv.Register(t, "other", caps...)
	stranger := srv.Register(t, "stranger", caps...)
	for _, c := range []*harness.Client{phone, laptop} {
		srv.Srv.Dispatcher().SetAccount(clientByNick(t, srv, c.Nick), "Walker")
	}
	srv.Srv.Dispatcher().SetAccount(clientByNick(t, srv, "other"), "someone")

	phone.Send("MARKREAD #h")
	phone.ExpectLine(":irc.conference.local MARKREAD #h *")
	phone.Send("MARKREAD #h timestamp=" + times[4])
	phone.ExpectLine(":irc.conference.local MARKREAD #h timestamp=" + times[4])
	laptop.ExpectLine(":irc.conference.local MARKREAD #h timestamp=" + times[4])
	// Never back: an older timestamp answers the newer marker.
	laptop.Send("MARKREAD #H timestamp=" + times[1])
	laptop.ExpectLine(":irc.conference.local MARKREAD #H timestamp=" + times[4])
	laptop.Send("MARKREAD #h")
	laptop.ExpectLine(":irc.conference.local MARKREAD #h timestamp=" + times[4])
	// Another account sees its own (none), and is told nothing.
	other.Send("MARKREAD #h")
	other.ExpectLine(":irc.conference.local MARKREAD #h *")
	for _, m := range other.Sync() {
		if m.Command == "MARKREAD" {
			t.Errorf("another account was told: %v", m)
		}
	}
	// The marker comes with the JOIN.
	laptop.Send("JOIN #h")
	laptop.ExpectNumeric("366")
	laptop.ExpectLine(":irc.conference.local MARKREAD #h timestamp=" + times[4])

	cases := []struct {
		c          *harness.Client
		line, want string
	}{
		{phone, "MARKREAD", "FAIL MARKREAD NEED_MORE_PARAMS :Missing parameters"},
		{phone, "MARKREAD #h yesterday", "FAIL MARKREAD INVALID_PARAMS #h :Invalid timestamp"},
		{stranger, "MARKREAD #h", "FAIL MARKREAD ACCOUNT_REQUIRED #h :You must be logged in to keep read markers"},
	}
	for _, c := range cases {
		c.c.Send(c.line)
		c.c.ExpectLine(":irc.conference.local " + c.want)
	}
}
