package tests

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/tests/harness"
	"github.com/conference-irc/conference/users"
)

// queryConfig exempts the test clients from flood control, since these
// tests send many queries in a row.
const queryConfig = "exempt: [127.0.0.0/8]\n"

// queryOperConfig is queryConfig with one operator, "root" / "pw".
func queryOperConfig(t *testing.T) string {
	t.Helper()
	// The lowest bcrypt cost keeps the tests fast under -race; OPER checks
	// any cost.
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return queryConfig + "operators:\n  - name: root\n    password: \"" + string(hash) + "\"\n"
}

// queryJoin joins c to a channel and waits for the end of NAMES.
func queryJoin(t *testing.T, c *harness.Client, channel string) {
	t.Helper()
	c.Send("JOIN " + channel)
	c.Expect(func(m *irc.Message) bool { return m.Command == "366" && m.Param(1) == channel })
}

// queryLines sends line and returns the raw lines that answer it: every
// line before the synchronising PONG, after draining what other clients'
// actions had already queued for c.
func queryLines(c *harness.Client, line string) []string {
	c.Sync()
	c.Send(line)
	return c.SyncRaw()
}

// queryExpect sends line and fails unless exactly want comes back.
func queryExpect(t *testing.T, c *harness.Client, line string, want ...string) {
	t.Helper()
	got := queryLines(c, line)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %s\ngot:\n  %s\nwant:\n  %s", c.Nick, line, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// queryUpdate changes a connected user's identity on the server side (for
// what no command sets yet, such as an account).
func queryUpdate(t *testing.T, srv *harness.Server, nick string, f func(id *users.Identity)) {
	t.Helper()
	c := srv.Srv.Dispatcher().Users().Find(nick)
	if c == nil {
		t.Fatalf("no client %q", nick)
	}
	c.Update(f)
}

const qs = ":irc.conference.local "

func TestListFilters(t *testing.T) {
	srv := harness.Start(t, queryOperConfig(t))
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	carol := srv.Register(t, "carol")
	queryJoin(t, alice, "#alpha")
	alice.Send("TOPIC #alpha :hello world")
	alice.ExpectCommand("TOPIC")
	queryJoin(t, alice, "#beta")
	queryJoin(t, bob, "#beta")
	queryJoin(t, carol, "#gamma")
	carol.Send("MODE #gamma +s")
	carol.ExpectCommand("MODE")
	queryJoin(t, carol, "#delta")
	carol.Send("MODE #delta +pk key")
	carol.ExpectCommand("MODE")

	start, end := qs+"321 alice Channel :Users  Name", qs+"323 alice :End of /LIST"
	alpha := qs + "322 alice #alpha 1 :[+nt] hello world"
	beta := qs + "322 alice #beta 2 :[+nt]"
	cases := []struct {
		line string
		want []string
	}{
		{"LIST", []string{start, alpha, beta, end}},
		{"LIST :", []string{start, alpha, beta, end}},
		{"LIST ,,,", []string{start, alpha, beta, end}},
		{"LIST #beta,#ALPHA,#gamma,#nope", []string{start, beta, alpha, end}},
		{"LIST *a*", []string{start, alpha, beta, end}},
		{"LIST *ET*", []string{start, beta, end}},
		{"LIST !*alpha*", []string{start, beta, end}},
		{"LIST #alpha,*et*", []string{start, alpha, beta, end}},
		{"LIST >1", []string{start, beta, end}},
		{"LIST <2", []string{start, alpha, end}},
		{"LIST >0,<2", []string{start, alpha, end}},
		{"LIST C<60", []string{start, alpha, beta, end}},
		{"LIST C>60", []string{start, end}},
		{"LIST T<60", []string{start, alpha, end}},
		{"LIST T>60", []string{start, end}},
		{"LIST <,C<,>x,>99999999999999999999", []string{start, alpha, beta, end}},
		{"LIST * irc.conference.local", []string{start, alpha, beta, end}},
		{"LIST * other.server", []string{qs + "402 alice other.server :No such server"}},
	}
	for _, c := range cases {
		queryExpect(t, alice, c.line, c.want...)
	}
	// Members see their own secret and private channels, with the modes
	// (never the key itself).
	queryExpect(t, carol, "LIST #gamma,#delta",
		qs+"321 carol Channel :Users  Name",
		qs+"322 carol #gamma 1 :[+nst]",
		qs+"322 carol #delta 1 :[+nptk]",
		qs+"323 carol :End of /LIST")
	// Opers see everything.
	alice.Send("OPER root pw")
	alice.ExpectNumeric("381")
	alice.Sync()
	queryExpect(t, alice, "LIST", start, alpha, beta,
		qs+"322 alice #delta 1 :[+nptk]", qs+"322 alice #gamma 1 :[+nst]", end)
}

func TestWhoChannel(t *testing.T) {
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	queryJoin(t, alice, "#room")
	queryJoin(t, bob, "#room")
	bob.Send("AWAY :lunch")
	bob.ExpectNumeric("306")
	alice.Send("MODE #room +ov bob bob")
	alice.ExpectCommand("MODE")

	aliceLine := "#room ~alice 127.0.0.1 irc.conference.local alice H@ :0 Real alice"
	queryExpect(t, alice, "WHO #room",
		qs+"352 alice "+aliceLine,
		qs+"352 alice #room ~bob 127.0.0.1 irc.conference.local bob G@ :0 Real bob",
		qs+"315 alice #room :End of WHO list")
	// multi-prefix shows every status in the flags.
	multi := srv.Register(t, "multi", "multi-prefix")
	queryExpect(t, multi, "WHO #ROOM",
		qs+"352 multi "+aliceLine,
		qs+"352 multi #room ~bob 127.0.0.1 irc.conference.local bob G@+ :0 Real bob",
		qs+"315 multi #ROOM :End of WHO list")

	// An invisible member is hidden from outsiders, shown to members.
	carol := srv.Register(t, "carol")
	carol.Send("MODE carol +i")
	carol.ExpectCommand("MODE")
	queryJoin(t, carol, "#room")
	queryExpect(t, multi, "WHO #room",
		qs+"352 multi "+aliceLine,
		qs+"352 multi #room ~bob 127.0.0.1 irc.conference.local bob G@+ :0 Real bob",
		qs+"315 multi #room :End of WHO list")
	if got := queryLines(alice, "WHO #room"); len(got) != 4 || !strings.Contains(got[2], " carol H :0 Real carol") {
		t.Fatalf("member's WHO #room: %q", got)
	}

	// A secret channel shows nothing to outsiders.
	queryJoin(t, carol, "#hush")
	carol.Send("MODE #hush +s")
	carol.ExpectCommand("MODE")
	queryExpect(t, alice, "WHO #hush", qs+"315 alice #hush :End of WHO list")
	queryExpect(t, alice, "WHO #nowhere", qs+"315 alice #nowhere :End of WHO list")
	queryExpect(t, carol, "WHO #hush",
		qs+"352 carol #hush ~carol 127.0.0.1 irc.conference.local carol H@ :0 Real carol",
		qs+"315 carol #hush :End of WHO list")
}

func TestWhoMask(t *testing.T) {
	srv := harness.Start(t, queryOperConfig(t))
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	carol := srv.Register(t, "carol")
	eve := srv.Register(t, "eve")
	carol.Send("MODE carol +i")
	carol.ExpectCommand("MODE")
	queryJoin(t, carol, "#secret")
	carol.Send("MODE #secret +s")
	carol.ExpectCommand("MODE")
	queryJoin(t, bob, "#pub")
	queryJoin(t, carol, "#pub")

	aliceW := qs + "352 eve * ~alice 127.0.0.1 irc.conference.local alice H :0 Real alice"
	bobW := qs + "352 eve #pub ~bob 127.0.0.1 irc.conference.local bob H@ :0 Real bob"
	eveW := qs + "352 eve * ~eve 127.0.0.1 irc.conference.local eve H :0 Real eve"
	// Invisible carol is left out of mask answers for someone who shares no
	// channel with her, but a plain nick still finds her (as WHOIS would),
	// naming only the channel eve may see.
	queryExpect(t, eve, "WHO *", aliceW, bobW, eveW, qs+"315 eve * :End of WHO list")
	queryExpect(t, eve, "WHO 0", aliceW, bobW, eveW, qs+"315 eve 0 :End of WHO list")
	queryExpect(t, eve, "WHO c*", qs+"315 eve c* :End of WHO list")
	queryExpect(t, eve, "WHO CAROL",
		qs+"352 eve #pub ~carol 127.0.0.1 irc.conference.local carol H :0 Real carol",
		qs+"315 eve CAROL :End of WHO list")
	// bob shares #pub with carol, so the mask finds her; carol sees all her
	// channels and is named with the first by name.
	queryExpect(t, bob, "WHO c*",
		qs+"352 bob #pub ~carol 127.0.0.1 irc.conference.local carol H :0 Real carol",
		qs+"315 bob c* :End of WHO list")
	queryExpect(t, carol, "WHO carol",
		qs+"352 carol #pub ~carol 127.0.0.1 irc.conference.local carol H :0 Real carol",
		qs+"315 carol carol :End of WHO list")
	// Username, host, realname and server are searched too.
	queryExpect(t, eve, "WHO ~bob", bobW, qs+"315 eve ~bob :End of WHO list")
	queryExpect(t, eve, "WHO :Real?alice", aliceW, qs+"315 eve Real?alice :End of WHO list")
	if got := queryLines(eve, "WHO 127.0.0.*"); len(got) != 4 {
		t.Fatalf("host match: %q", got)
	}
	if got := queryLines(eve, "WHO irc.conference.*"); len(got) != 4 {
		t.Fatalf("server match: %q", got)
	}
	// "o": operators only.
	queryExpect(t, eve, "WHO * o", qs+"315 eve * :End of WHO list")
	alice.Send("OPER root pw")
	alice.ExpectNumeric("381")
	alice.Sync()
	queryExpect(t, eve, "WHO * o",
		qs+"352 eve * ~alice 127.0.0.1 irc.conference.local alice H* :0 Real alice",
		qs+"315 eve * :End of WHO list")
	queryExpect(t, eve, "WHO bob o", qs+"315 eve bob :End of WHO list")
	// Opers see invisible users and secret channels.
	if got := queryLines(alice, "WHO carol"); len(got) != 2 || !strings.Contains(got[0], " 352 alice #pub ~carol ") {
		t.Fatalf("oper WHO carol: %q", got)
	}
	if got := queryLines(alice, "WHO #secret"); len(got) != 2 {
		t.Fatalf("oper WHO #secret: %q", got)
	}
	// A bot carries the BOT letter in its flags.
	bob.Send("MODE bob +B")
	bob.ExpectCommand("MODE")
	queryExpect(t, eve, "WHO bob",
		qs+"352 eve #pub ~bob 127.0.0.1 irc.conference.local bob H@B :0 Real bob",
		qs+"315 eve bob :End of WHO list")
}

func TestWhox(t *testing.T) {
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	queryJoin(t, alice, "#x")
	queryJoin(t, bob, "#x")
	queryUpdate(t, srv, "alice", func(id *users.Identity) { id.Account = "alice-acct" })

	queryExpect(t, bob, "WHO #x %tcuihsnfdaor,42",
		qs+"354 bob 42 #x ~alice 255.255.255.255 127.0.0.1 irc.conference.local alice H@ 0 alice-acct n/a :Real alice",
		qs+"354 bob 42 #x ~bob 127.0.0.1 127.0.0.1 irc.conference.local bob H 0 0 n/a :Real bob",
		qs+"315 bob #x :End of WHO list")
	// Fields come in the specification's order, whatever order was asked.
	queryExpect(t, bob, "WHO alice %ancx",
		qs+"354 bob #x alice :alice-acct",
		qs+"315 bob alice :End of WHO list")
	// A token that is not one to three digits becomes 0.
	queryExpect(t, bob, "WHO alice %tn,1234",
		qs+"354 bob 0 :alice",
		qs+"315 bob alice :End of WHO list")
	queryExpect(t, bob, "WHO alice %tn,9x",
		qs+"354 bob 0 :alice",
		qs+"315 bob alice :End of WHO list")
	queryExpect(t, bob, "WHO bob %na",
		qs+"354 bob bob :0",
		qs+"315 bob bob :End of WHO list")
	// Flags before '%' still apply: o keeps only operators.
	queryExpect(t, bob, "WHO * o%n", qs+"315 bob * :End of WHO list")
	// Idle seconds are a number.
	got := queryLines(bob, "WHO alice %nl")
	m, err := irc.ParseMessage(got[0])
	if err != nil || m.Command != "354" || m.Param(1) != "alice" {
		t.Fatalf("WHO alice %%nl: %q", got)
	}
	if _, err := strconv.Atoi(m.Param(2)); err != nil {
		t.Fatalf("idle field %q: %v", m.Param(2), err)
	}
}

func TestWhois(t *testing.T) {
	srv := harness.Start(t, queryOperConfig(t))
	alice := srv.Register(t, "alice", "multi-prefix")
	bob := srv.Register(t, "bob")
	queryJoin(t, alice, "#pub")
	queryJoin(t, bob, "#pub")
	queryJoin(t, bob, "#sec")
	bob.Send("MODE #sec +s")
	bob.ExpectCommand("MODE")
	bob.Send("AWAY :gone fishing")
	bob.ExpectNumeric("306")
	bob.Send("MODE bob +B")
	bob.ExpectCommand("MODE")
	queryUpdate(t, srv, "bob", func(id *users.Identity) { id.Account = "bob-acct" })
	alice.Send("MODE #pub +v bob")
	alice.ExpectCommand("MODE")

	got := queryLines(alice, "WHOIS BOB")
	want := []string{
		qs + "311 alice bob ~bob 127.0.0.1 * :Real bob",
		qs + "319 alice bob :+#pub",
		qs + "312 alice bob irc.conference.local :conference IRC server",
		qs + "301 alice bob :gone fishing",
		qs + "330 alice bob bob-acct :is logged in as",
		qs + "335 alice bob :is a bot on conference",
		"317",
		qs + "318 alice BOB :End of /WHOIS list",
	}
	queryCheckWhois(t, got, want, bob)

	// To themselves: every channel, and where they connect from.
	got = queryLines(bob, "WHOIS bob")
	want = []string{
		qs + "311 bob bob ~bob 127.0.0.1 * :Real bob",
		qs + "319 bob bob :+#pub @#sec",
		qs + "312 bob bob irc.conference.local :conference IRC server",
		qs + "301 bob bob :gone fishing",
		qs + "330 bob bob bob-acct :is logged in as",
		qs + "335 bob bob :is a bot on conference",
		qs + "378 bob bob :is connecting from *@127.0.0.1 127.0.0.1",
		qs + "338 bob bob ~bob@127.0.0.1 127.0.0.1 :Actual user@host, Actual IP",
		"317",
		qs + "318 bob bob :End of /WHOIS list",
	}
	queryCheckWhois(t, got, want, bob)

	// Operators see secret channels and the real address, and are marked.
	alice.Send("OPER root pw")
	alice.ExpectNumeric("381")
	alice.Sync()
	got = queryLines(alice, "WHOIS bob")
	if !slices.Contains(got, qs+"319 alice bob :+#pub @#sec") || !slices.Contains(got, qs+"338 alice bob ~bob@127.0.0.1 127.0.0.1 :Actual user@host, Actual IP") {
		t.Fatalf("oper WHOIS: %q", got)
	}
	if got := queryLines(bob, "WHOIS alice"); !slices.Contains(got, qs+"313 bob alice :is an IRC operator") {
		t.Fatalf("WHOIS of an oper: %q", got)
	}

	// Errors: unknown nick, no nick, unknown server.
	queryExpect(t, bob, "WHOIS nobody",
		qs+"401 bob nobody :No such nick/channel",
		qs+"318 bob nobody :End of /WHOIS list")
	queryExpect(t, bob, "WHOIS", qs+"431 bob :No nickname given")
	queryExpect(t, bob, "WHOIS ,,,", qs+"431 bob :No nickname given")
	queryExpect(t, bob, "WHOIS other.server alice", qs+"402 bob other.server :No such server")
	// The server form, and "WHOIS nick nick", answer like the plain form.
	for _, line := range []string{"WHOIS irc.conference.local alice", "WHOIS alice alice"} {
		if got := queryLines(bob, line); len(got) < 3 || !strings.HasPrefix(got[0], qs+"311 bob alice ") {
			t.Fatalf("%s: %q", line, got)
		}
	}
	// Several targets: one block each, at most limits.targets (4).
	got = queryLines(bob, "WHOIS alice,x1,bob,x2,x3")
	var ends []string
	for _, l := range got {
		if strings.Contains(l, " 318 ") || strings.Contains(l, " 407 ") {
			ends = append(ends, l)
		}
	}
	wantEnds := []string{
		qs + "407 bob x3 :Too many targets",
		qs + "318 bob alice :End of /WHOIS list",
		qs + "318 bob x1 :End of /WHOIS list",
		qs + "318 bob bob :End of /WHOIS list",
		qs + "318 bob x2 :End of /WHOIS list",
	}
	if !slices.Equal(ends, wantEnds) {
		t.Fatalf("multi-target WHOIS:\n%s", strings.Join(got, "\n"))
	}
}

// queryCheckWhois compares a WHOIS answer with want, where a bare "317"
// stands for the idle line, whose seconds depend on the clock.
func queryCheckWhois(t *testing.T, got, want []string, target *harness.Client) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("WHOIS %s:\ngot:\n  %s\nwant:\n  %s", target.Nick, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for i := range want {
		if want[i] == "317" {
			m, err := irc.ParseMessage(got[i])
			if err != nil || m.Command != "317" || m.Param(1) != target.Nick || m.Trailing() != "seconds idle, signon time" {
				t.Fatalf("WHOIS idle line: %q", got[i])
			}
			for _, p := range m.Params[2:4] {
				if _, err := strconv.ParseInt(p, 10, 64); err != nil {
					t.Fatalf("WHOIS idle line: %q", got[i])
				}
			}
			continue
		}
		if got[i] != want[i] {
			t.Fatalf("WHOIS line %d:\ngot  %s\nwant %s", i, got[i], want[i])
		}
	}
}

func TestWhowas(t *testing.T) {
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	bob.Send("NICK bobby")
	bob.ExpectCommand("NICK")
	bob.Send("NICK bob")
	bob.ExpectCommand("NICK")
	bob.Send("NICK robert")
	bob.ExpectCommand("NICK")
	// A nick change records the old nick before it is announced, so the
	// NICK line is the moment the history holds it (a QUIT is recorded
	// after the socket closes, too late to wait on).
	bob.Send("NICK rob")
	bob.ExpectCommand("NICK")

	isEntry := func(line, nick string) bool {
		return line == qs+"314 alice "+nick+" ~bob 127.0.0.1 * :Real bob"
	}
	isServer := func(line, nick string) bool {
		return strings.HasPrefix(line, qs+"312 alice "+nick+" irc.conference.local :")
	}
	got := queryLines(alice, "WHOWAS bob")
	if len(got) != 5 || !isEntry(got[0], "bob") || !isServer(got[1], "bob") || !isEntry(got[2], "bob") ||
		!isServer(got[3], "bob") || got[4] != qs+"369 alice bob :End of WHOWAS" {
		t.Fatalf("WHOWAS bob:\n%s", strings.Join(got, "\n"))
	}
	if got := queryLines(alice, "WHOWAS BOB 1"); len(got) != 3 || !isEntry(got[0], "bob") {
		t.Fatalf("WHOWAS BOB 1:\n%s", strings.Join(got, "\n"))
	}
	if got := queryLines(alice, "WHOWAS robert,bobby x irc.conference.local"); len(got) != 6 || !isEntry(got[0], "robert") || !isEntry(got[3], "bobby") {
		t.Fatalf("WHOWAS robert,bobby:\n%s", strings.Join(got, "\n"))
	}
	queryExpect(t, alice, "WHOWAS nobody",
		qs+"406 alice nobody :There was no such nickname",
		qs+"369 alice nobody :End of WHOWAS")
	queryExpect(t, alice, "WHOWAS", qs+"431 alice :No nickname given")
	queryExpect(t, alice, "WHOWAS ,", qs+"431 alice :No nickname given")
	queryExpect(t, alice, "WHOWAS bob 1 other.server", qs+"402 alice other.server :No such server")
}

func TestIsonUserhost(t *testing.T) {
	srv := harness.Start(t, queryOperConfig(t))
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "Bob")
	bob.Send("AWAY :away")
	bob.ExpectNumeric("306")
	alice.Send("OPER root pw")
	alice.ExpectNumeric("381")
	alice.Sync()

	queryExpect(t, alice, "ISON alice BOB nobody", qs+"303 alice :alice Bob")
	queryExpect(t, alice, "ISON :bob nobody alice", qs+"303 alice :Bob alice")
	queryExpect(t, alice, "ISON bob BOB", qs+"303 alice :Bob")
	queryExpect(t, alice, "ISON nobody", qs+"303 alice :")
	queryExpect(t, alice, "ISON", qs+"461 alice ISON :Not enough parameters")

	queryExpect(t, alice, "USERHOST bob alice nobody",
		qs+"302 alice :Bob=-~bob@127.0.0.1 alice*=+~alice@127.0.0.1")
	// At most five nicks are answered.
	queryExpect(t, alice, "USERHOST x1 x2 x3 x4 x5 bob", qs+"302 alice :")
	queryExpect(t, alice, "USERHOST :x1 x2 x3 x4 bob", qs+"302 alice :Bob=-~bob@127.0.0.1")
	queryExpect(t, alice, "USERHOST", qs+"461 alice USERHOST :Not enough parameters")
}

// TestQueriesHostileInput throws malformed and oversized parameters at
// every query command; the server must answer sanely and stay up.
func TestQueriesHostileInput(t *testing.T) {
	srv := harness.Start(t, queryConfig)
	c := srv.Register(t, "fuzz")
	queryJoin(t, c, "#f")
	long := strings.Repeat("*a", 200)
	lines := []string{
		"WHO *", "WHO ,,,", "WHO %", "WHO * %", "WHO * %,", "WHO * %,,,", "WHO * o%tcuihsnfdlaor,", "WHO :",
		"WHO #", "WHO " + long, "WHO " + long + " %" + long,
		"LIST <", "LIST C<", "LIST T", "LIST !", "LIST *", "LIST " + long, "LIST " + strings.Repeat("#a,", 150),
		"WHOIS *", "WHOIS * *", "WHOIS " + long, "WHOIS :", "WHOIS " + strings.Repeat(",", 300),
		"WHOWAS *", "WHOWAS x -5", "WHOWAS x 99999999999999999999", "WHOWAS " + long,
		"ISON " + long, "ISON :", "USERHOST :", "USERHOST " + long,
		"INVITE * *", "INVITE fuzz #f", "INVITE :", "INVITE fuzz", "KNOCK *", "KNOCK :", "KNOCK #f " + long,
	}
	for _, l := range lines {
		c.Send(l)
	}
	got := c.SyncRaw()
	for _, l := range got {
		if strings.HasPrefix(l, "ERROR") {
			t.Fatalf("server closed the connection: %s", l)
		}
	}
	// Still answering; a parameter that cannot be echoed as one is "*".
	queryExpect(t, c, "ISON fuzz", qs+"303 fuzz :fuzz")
	queryExpect(t, c, "WHO :no such", qs+"315 fuzz * :End of WHO list")
	queryExpect(t, c, "WHOIS :a b",
		qs+"401 fuzz * :No such nick/channel",
		qs+"318 fuzz * :End of /WHOIS list")
}

// TestListBoundedBySendQ checks SAFELIST: a LIST longer than the send queue
// allows ends early with 323 instead of disconnecting the asker.
func TestListBoundedBySendQ(t *testing.T) {
	srv := harness.Start(t, queryConfig+"sendq: 4096\nlimits:\n  channels: 200\n")
	c := srv.Register(t, "lister", "draft/no-implicit-names")
	for batch := 0; batch < 10; batch++ {
		var names []string
		for i := 0; i < 10; i++ {
			names = append(names, "#channel-number-"+strconv.Itoa(batch*10+i))
		}
		c.Send("JOIN " + strings.Join(names, ","))
		c.Expect(func(m *irc.Message) bool { return m.Command == "JOIN" && m.Param(0) == names[9] })
	}
	got := queryLines(c, "LIST")
	if len(got) < 3 || got[0] != qs+"321 lister Channel :Users  Name" || got[len(got)-1] != qs+"323 lister :End of /LIST" {
		t.Fatalf("LIST: %q", got)
	}
	if entries := len(got) - 2; entries == 0 || entries >= 100 {
		t.Fatalf("LIST sent %d entries, want some but fewer than 100", entries)
	}
	queryExpect(t, c, "ISON lister", qs+"303 lister :lister")
}
