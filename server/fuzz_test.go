package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/commands"
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// maxOutputPerLine bounds what the server may answer to one input line. The
// biggest honest answers (a JOIN of many channels, NAMES, a mask list) stay
// far below it; anything above is an amplification bug.
const maxOutputPerLine = 64 << 10

// fuzzConn is a users.Conn that keeps what it is sent, like a connection
// whose writer never blocks.
type fuzzConn struct {
	mu     sync.Mutex
	out    []byte
	closed bool
	reason string
}

func (f *fuzzConn) Send(line []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.out = append(f.out, line...)
	}
}

func (f *fuzzConn) Close(reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// The real connection writes the ERROR line itself; only the
	// dispatcher's output is checked here.
	if !f.closed {
		f.closed, f.reason = true, reason
	}
}

// take returns and forgets what was sent so far.
func (f *fuzzConn) take() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.out
	f.out = nil
	return out
}

func (f *fuzzConn) isClosed() (bool, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed, f.reason
}

var netipLoopback = netip.MustParseAddr("127.0.0.1")

// fuzzConfig is the default configuration, loaded once: a Config is an
// immutable snapshot, and loading it per input would dominate the run.
var fuzzConfig = sync.OnceValue(conf.Default)

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// fuzzWorld is a dispatcher with one bystander, "peer", sitting in #room.
type fuzzWorld struct {
	t    *testing.T
	d    *commands.Dispatcher
	now  time.Time
	peer *users.Client
	pc   *fuzzConn
}

func newFuzzWorld(t *testing.T) *fuzzWorld {
	reg, err := users.NewRegistry(users.RFC1459, 64, 16)
	if err != nil {
		t.Fatal(err)
	}
	w := &fuzzWorld{t: t, now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	w.d, err = commands.New(commands.Options{
		Config: fuzzConfig(), Users: reg,
		Clock:  func() time.Time { return w.now },
		Random: zeroReader{}, Version: "fuzz",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Hooks:  commands.Hooks{Rehash: func(string) ([]string, error) { return nil, errors.New("no") }},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.peer, w.pc = w.connect(2)
	w.feedLines(w.peer, w.pc, "NICK peer", "USER peer 0 * :Peer", "JOIN #room", "MODE #room +b ban!*@*")
	if !w.peer.Registered() {
		t.Fatalf("peer did not register: %q", w.pc.take())
	}
	w.pc.take()
	return w
}

func (w *fuzzWorld) connect(id uint64) (*users.Client, *fuzzConn) {
	fc := &fuzzConn{}
	c := users.NewClient(id, fc, netipLoopback, "127.0.0.1", w.now, false)
	w.d.Connected(c)
	return c, fc
}

func (w *fuzzWorld) feedLines(c *users.Client, fc *fuzzConn, lines ...string) {
	for _, l := range lines {
		msg, err := parseLine([]byte(l))
		if err != nil {
			w.t.Fatalf("setup line %q: %v", l, err)
		}
		w.d.Dispatch(c, msg)
	}
}

// serveBytes runs data through the same steps as conn.readOne: line reader,
// parseLine, then the dispatcher, stopping when the client is closed.
func (w *fuzzWorld) serveBytes(c *users.Client, fc *fuzzConn, data []byte) {
	lr := newLineReader(bytes.NewReader(data), nil)
	cfg := w.d.Config()
	for lines := 0; ; lines++ {
		if closed, _ := fc.isClosed(); closed {
			return
		}
		line, err := lr.next()
		switch {
		case errors.Is(err, errLineTooLong):
			w.d.InputTooLong(c)
		case err != nil:
			return
		default:
			w.dispatchLine(c, line, cfg)
		}
		w.now = w.now.Add(time.Second)
		w.check("client", fc.take())
		w.check("peer", w.pc.take())
		if cap(lr.buf) > maxLineBytes+1 {
			w.t.Fatalf("line reader buffer grew to %d", cap(lr.buf))
		}
	}
}

func (w *fuzzWorld) dispatchLine(c *users.Client, line []byte, cfg *conf.Config) {
	processLine(w.d, c, line, cfg, nil)
}

// check asserts that out is a bounded run of well-formed IRC lines.
func (w *fuzzWorld) check(who string, out []byte) {
	w.t.Helper()
	if len(out) > maxOutputPerLine {
		w.t.Fatalf("%s got %d bytes for one input line", who, len(out))
	}
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
		w.t.Fatalf("%s: output does not end in CRLF: %.200q", who, out)
	}
	for _, line := range strings.SplitAfter(string(out), "\r\n") {
		if line == "" {
			continue
		}
		body := strings.TrimSuffix(line, "\r\n")
		if strings.ContainsAny(body, "\r\n\x00") {
			w.t.Fatalf("%s: line holds CR, LF or NUL: %q", who, line)
		}
		m, err := irc.ParseMessage(body)
		if err != nil {
			w.t.Fatalf("%s: unparsable line %q: %v", who, line, err)
		}
		if m.Prefix == nil || m.Prefix.Name == "" {
			w.t.Fatalf("%s: line without a source: %q", who, line)
		}
		// An empty middle parameter shows up as two spaces before the
		// trailing one; a client would see one parameter fewer.
		middle := body
		if i := strings.Index(body, " :"); i >= 0 {
			middle = body[:i]
		}
		if strings.Contains(middle, "  ") || strings.HasSuffix(middle, " ") {
			w.t.Fatalf("%s: empty middle parameter in %q", who, line)
		}
	}
}

// finish makes both clients leave and checks that nothing is left behind.
func (w *fuzzWorld) finish(c *users.Client, fc *fuzzConn) {
	_, reason := fc.isClosed()
	if reason == "" {
		reason = "Connection closed"
	}
	w.d.Quit(c, reason)
	w.check("peer", w.pc.take())
	w.d.Quit(w.peer, "bye")
	if n := len(w.d.Users().All()); n != 0 {
		w.t.Fatalf("%d clients left in the registry after everyone quit", n)
	}
	if n := w.d.Channels().Count(); n != 0 {
		w.t.Fatalf("%d channels left after everyone quit", n)
	}
}

// fuzzSeeds are lines that broke or nearly broke IRC servers and parsers.
var fuzzSeeds = []string{
	"PING x\r\n",
	"@a=b \r\n",
	"@a=b\r\n",
	":prefix\r\n",
	":prefix \r\n",
	"@a=b :prefix \r\n",
	"::\r\n",
	": :\r\n",
	"NICK :a b\r\n",
	"NICK ::a\r\n",
	"PRIVMSG a,,b :x\r\n",
	"PRIVMSG , :x\r\n",
	"PRIVMSG ,#room :x\r\n",
	"NOTICE ,, :x\r\n",
	"PRIVMSG @#room,+#room,#nope,peer,nobody :hi\r\n",
	"PRIVMSG peer :\xff\xfe\xfd\r\n",
	"PRIVMSG peer :a\x00b\r\n",
	"PRIVMSG peer :a\rb\r\n",
	"JOIN #a,#b,#c,#d x,y\r\nJOIN 0\r\n",
	"JOIN ,,,\r\nPART ,,, :bye\r\n",
	"JOIN #room\r\nMODE #room bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n",
	"JOIN #x\r\nMODE #x +b a\r\nMODE #x +b b\r\nMODE #x +b c\r\nMODE #x bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n",
	"JOIN #x\r\nMODE #x +beIkl-o+v * * * key 5 fuzz fuzz\r\nMODE #x\r\nMODE #x +ZZZZZZZZZZZZZZZZZZZZZZZZZZZZ\r\n",
	"JOIN #x\r\nKICK #x fuzz,fuzz,,peer :bye\r\nKICK #x fuzz\r\n",
	"JOIN #x\r\nTOPIC #x :hello\r\nTOPIC #x\r\nNAMES #x,#x,#x,,#room\r\n",
	"NAMES ,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n",
	"CAP LS 302\r\nCAP REQ :labeled-response batch message-tags echo-message server-time\r\nCAP END\r\n@label=x PRIVMSG peer :hi\r\n@label=y;+t=v NAMES #room\r\n",
	"CAP\r\nCAP :\r\nCAP REQ :-\r\nCAP LIST\r\n",
	"MODE fuzz +iwoxB\r\nMODE peer\r\nMODE :\r\nMODE fuzz\r\n",
	"PASS x\r\nUSER a b c d\r\nOPER a b\r\nREHASH\r\n",
	"QUIT :bye\r\nPING after\r\n",
	"NICK peer\r\nNICK PEER\r\nNICK fuzz[\r\nNICK FUZZ{\r\n",
	"@" + strings.Repeat("a=b;", 2100) + " PING x\r\n",
	"@+" + strings.Repeat("x", 5000) + " PRIVMSG peer :x\r\n",
	strings.Repeat("A", 10000) + "\r\nPING y\r\n",
	"PRIVMSG " + strings.Repeat("p ", 300) + "\r\n",
	"JOIN " + strings.Repeat("#a,", 160) + "\r\n",
	"\r\n\n\r\r\n   \r\n",
	"WHO #room\r\nWHO * %tcuhnfar,42\r\nWHO :\r\nWHOIS peer\r\nWHOIS ,,\r\nWHOWAS peer\r\nWHOWAS ,\r\n",
	"LIST\r\nLIST >0,<5\r\nLIST #room,,\r\nINVITE peer #room\r\nINVITE , :\r\nKNOCK #room :hi\r\n",
	"USERHOST peer , fuzz\r\nISON peer ,, fuzz\r\nAWAY :gone\r\nPRIVMSG fuzz :x\r\nAWAY\r\n",
	"CAP REQ :message-tags\r\n@+typing=active TAGMSG peer,#room,,\r\nMONITOR + peer,fuzz,,\r\nMONITOR L\r\nMONITOR S\r\nMONITOR C\r\n",
	"SETNAME :new name\r\nVERSION\r\nTIME\r\nADMIN\r\nINFO\r\nLUSERS\r\nMOTD\r\nSTATS u\r\nLINKS\r\nHELP\r\nHELP JOIN\r\n",
	"KILL peer :x\r\nWALLOPS :x\r\nDIE\r\nRESTART\r\nSQUIT x :y\r\nCONNECT x\r\nTRACE\r\n",
	fullBanListSeed(),
}

// fullBanListSeed fills a ban list to its limit, then asks for it many
// times in one MODE line.
func fullBanListSeed() string {
	var b strings.Builder
	b.WriteString("JOIN #x\r\n")
	for i := 0; i < fuzzConfig().Limits.ListSize; i++ {
		fmt.Fprintf(&b, "MODE #x +b %d!*@some.long.host.name.example\r\n", i)
	}
	b.WriteString("MODE #x " + strings.Repeat("b", 400) + "\r\n")
	b.WriteString("MODE #x " + strings.Repeat("beI", 130) + "\r\n")
	return b.String()
}

func FuzzLineReaderDispatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(true, []byte(s))
		f.Add(false, []byte(s))
	}
	f.Fuzz(func(t *testing.T, register bool, data []byte) {
		w := newFuzzWorld(t)
		c, fc := w.connect(1)
		if register {
			w.feedLines(c, fc, "NICK fuzz", "USER fuzz 0 * :Fuzz", "JOIN #room")
			w.check("client", fc.take())
			w.pc.take()
		}
		w.serveBytes(c, fc, data)
		w.finish(c, fc)
	})
}
