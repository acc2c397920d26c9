package tests

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
)

// banReply sends an operator ban command and returns its NOTE or FAIL.
func banReply(t *testing.T, c *harness.Client, line string) *irc.Message {
	t.Helper()
	c.Send(line)
	return c.Expect(func(m *irc.Message) bool { return m.Command == "NOTE" || m.Command == "FAIL" || m.Command == "481" })
}

func TestKlineOnLiveAndNewUsers(t *testing.T) {
	srv := harness.Start(t, operYAML(""))
	op := operUp(t, srv, "opal")
	victim := srv.Register(t, "spammer")
	bystander := srv.Register(t, "nice")

	if m := banReply(t, victim, "KLINE ~spam*@* :no spam"); m.Command != "481" {
		t.Fatalf("KLINE by a non-operator: %v", m)
	}
	if m := banReply(t, op, "KLINE ~spam*@* :no spam"); m.Command != "NOTE" || m.Param(1) != "ADDED" || m.Param(2) != "~spam*@*" {
		t.Fatalf("KLINE: %v", m)
	}
	if reason := victim.ExpectClosed(); !strings.Contains(reason, "K-Lined: no spam") {
		t.Fatalf("live user closed with %q", reason)
	}
	bystander.Sync() // still connected

	// A new connection matching the ban is refused at registration.
	c := srv.Connect(t)
	c.Send("NICK spam2")
	c.Send("USER spam2 0 * :Spam")
	c.ExpectNumeric("465")
	c.ExpectClosed()

	op.Send("STATS k")
	if m := op.ExpectNumeric("216"); m.Param(1) != "K" || m.Param(2) != "*" || m.Param(4) != "~spam*" || !strings.Contains(m.Trailing(), "no spam") {
		t.Fatalf("STATS k: %v", m)
	}
	op.ExpectNumeric("219")
	if m := banReply(t, op, "UNKLINE ~spam*@*"); m.Command != "NOTE" || m.Param(1) != "REMOVED" {
		t.Fatalf("UNKLINE: %v", m)
	}
	if m := banReply(t, op, "UNKLINE ~spam*@*"); m.Command != "FAIL" || m.Param(1) != "NO_SUCH_BAN" {
		t.Fatalf("second UNKLINE: %v", m)
	}
	srv.Register(t, "spam3") // welcome again
	if m := banReply(t, op, "KLINE a@b@c :bad"); m.Command != "FAIL" || m.Param(1) != "INVALID_MASK" {
		t.Fatalf("KLINE with a bad mask: %v", m)
	}
}

func TestDlineWithDurationExpires(t *testing.T) {
	clock := harness.NewClock()
	srv := harness.StartWithClock(t, operYAML(""), clock)
	op := operUp(t, srv, "opal")
	if m := banReply(t, op, "DLINE 10 127.0.0.2 :go away"); m.Command != "NOTE" || m.Param(2) != "127.0.0.2/32" {
		t.Fatalf("DLINE: %v", m)
	}
	if m := banReply(t, op, "DLINE 0 127.0.0.3 :zero"); m.Command != "FAIL" || m.Param(1) != "INVALID_DURATION" {
		t.Fatalf("DLINE 0: %v", m)
	}
	if m := banReply(t, op, "DLINE 1h 198.51.100.0/24 :range"); m.Command != "NOTE" || m.Param(2) != "198.51.100.0/24" {
		t.Fatalf("DLINE range: %v", m)
	}
	if m := banReply(t, op, "DLINE not-an-ip"); m.Command != "FAIL" || m.Param(1) != "INVALID_MASK" {
		t.Fatalf("DLINE garbage: %v", m)
	}
	op.Send("STATS d")
	got := map[string]bool{}
	for {
		m := op.Next()
		if m.Command == "219" {
			break
		}
		if m.Command == "225" {
			got[m.Param(2)] = true
		}
	}
	if !got["127.0.0.2/32"] || !got["198.51.100.0/24"] {
		t.Fatalf("STATS d: %v", got)
	}
	// A D-line on our own loopback address: new connections are refused
	// until it lapses.
	if m := banReply(t, op, "DLINE 5 127.0.0.1/32 :loopback"); m.Command != "NOTE" {
		t.Fatalf("DLINE loopback: %v", m)
	}
	c := srv.Connect(t)
	c.Send("NICK late")
	c.Send("USER late 0 * :Late")
	c.ExpectNumeric("465")
	c.ExpectClosed()
	clock.Advance(5 * time.Minute)
	srv.Register(t, "later")
}

// TestKlineMatchesEveryHostForm: a K-line matches a cloaked user by its
// real host and by its cloak alike, whether the user is connected when the
// ban is set or connects after it.
func TestKlineMatchesEveryHostForm(t *testing.T) {
	srv := harness.Start(t, cloakYAML(""))
	op := operUp(t, srv, "opal")
	cloaked := func(nick string) (*harness.Client, string) {
		c := viaGateway(t, srv, gatewayPassword, "dialup.example.net", "198.51.100.7")
		welcome := registerVia(t, c, nick)
		_, host, _ := strings.Cut(welcome.Trailing(), "@")
		return c, host
	}

	live, cloak := cloaked("alice")
	if cloak == "dialup.example.net" {
		t.Fatal("the gateway's user is not cloaked")
	}
	if m := banReply(t, op, "KLINE *@dialup.example.net :real host"); m.Command != "NOTE" {
		t.Fatalf("KLINE on the real host: %v", m)
	}
	if reason := live.ExpectClosed(); !strings.Contains(reason, "K-Lined: real host") {
		t.Fatalf("a live user K-lined by its real host closed with %q", reason)
	}
	banReply(t, op, "UNKLINE *@dialup.example.net")

	if m := banReply(t, op, "KLINE *@"+cloak+" :cloak"); m.Command != "NOTE" {
		t.Fatalf("KLINE on the cloak: %v", m)
	}
	c := viaGateway(t, srv, gatewayPassword, "dialup.example.net", "198.51.100.7")
	c.Send("NICK bob")
	c.Send("USER bob 0 * :Bob")
	c.ExpectNumeric("465")
	c.ExpectClosed()
}

// TestServerBansAreLoggedAndAnnounced: setting and lifting a ban, and
// every connection it keeps out, are logged and told to operators with +s.
func TestServerBansAreLoggedAndAnnounced(t *testing.T) {
	srv := harness.Start(t, operYAML(""))
	watcher := snoticeOper(t, srv, "watcher")
	victim := srv.Register(t, "spammer")

	watcher.Send("KLINE 60 ~spam*@* :no spam")
	expectNotice(t, watcher, "watcher added K-line for [~spam*@*]", "no spam")
	victim.ExpectClosed()
	srv.Logs.Wait(t, `msg="server ban added"`, "kind=K", "mask=~spam*@*", "by=watcher")
	srv.Logs.Wait(t, `msg="server ban active"`, "nick=spammer", "ip=127.0.0.1", "mask=~spam*@*")
	expectNotice(t, watcher, "K-line active for spammer (~spammer@127.0.0.1) [127.0.0.1]")

	c := srv.Connect(t)
	c.Send("NICK spam2")
	c.Send("USER spam2 0 * :Spam")
	c.ExpectNumeric("465")
	srv.Logs.Wait(t, `msg="server ban active"`, "nick=spam2", "mask=~spam*@*")
	expectNotice(t, watcher, "K-line active for spam2")

	watcher.Send("UNKLINE ~spam*@*")
	expectNotice(t, watcher, "watcher removed K-line for [~spam*@*]")
	srv.Logs.Wait(t, `msg="server ban removed"`, "kind=K", "mask=~spam*@*", "by=watcher")
}
