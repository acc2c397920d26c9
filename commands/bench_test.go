package commands

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// countingConn is a users.Conn that only counts what it is given, so that
// benchmarks measure the dispatcher and not a network.
type countingConn struct {
	lines atomic.Int64
	bytes atomic.Int64
}

func (c *countingConn) Send(line []byte) {
	c.lines.Add(1)
	c.bytes.Add(int64(len(line)))
}

func (c *countingConn) Close(string) {}

// benchNetwork is a dispatcher with registered clients on counting conns.
type benchNetwork struct {
	d       *Dispatcher
	clients []*users.Client
	conns   []*countingConn
}

func newBenchNetwork(b testing.TB, n int) *benchNetwork {
	b.Helper()
	cfg := conf.Default()
	reg, err := users.NewRegistry(users.RFC1459, 8192, 100)
	if err != nil {
		b.Fatal(err)
	}
	d, err := New(Options{Config: cfg, Users: reg, Clock: time.Now, Random: rand.Reader,
		Version: "bench", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	net := &benchNetwork{d: d}
	for i := 0; i < n; i++ {
		conn := &countingConn{}
		c := users.NewClient(uint64(i+1), conn, netip.MustParseAddr("127.0.0.1"), "127.0.0.1", time.Now(), true)
		d.Connected(c)
		nick := fmt.Sprintf("user%d", i)
		d.Dispatch(c, irc.MustParseMessage("NICK "+nick))
		d.Dispatch(c, irc.MustParseMessage("USER u 0 * :User "+nick))
		if !c.Registered() {
			b.Fatalf("%s did not register", nick)
		}
		net.clients = append(net.clients, c)
		net.conns = append(net.conns, conn)
	}
	return net
}

// joinAll puts every client in channel.
func (n *benchNetwork) joinAll(channel string) {
	join := irc.MustParseMessage("JOIN " + channel)
	for _, c := range n.clients {
		n.d.Dispatch(c, join)
	}
}

// BenchmarkFanout measures one PRIVMSG to a channel of 50, 500 and 5,000
// members, through the whole dispatcher: the allocations per message must
// not grow with the member count (zero per recipient).
func BenchmarkFanout(b *testing.B) {
	for _, members := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			net := newBenchNetwork(b, members)
			net.joinAll("#bench")
			msg := irc.MustParseMessage("PRIVMSG #bench :hello everyone, this is a fairly ordinary chat line")
			sender := net.clients[0]
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				net.d.Dispatch(sender, msg)
			}
			b.ReportMetric(float64(b.N*(members-1))/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkFanoutMixedCaps is the fan-out with recipients spread over every
// tag variant: the body serialised once, each variant once more (its tags
// in front), nothing per recipient.
func BenchmarkFanoutMixedCaps(b *testing.B) {
	net := newBenchNetwork(b, 500)
	variants := []users.CapSet{0,
		users.CapSet(0).With(users.CapServerTime),
		users.CapSet(0).With(users.CapMessageTags),
		users.CapSet(0).With(users.CapMessageTags).With(users.CapServerTime).With(users.CapAccountTag)}
	for i, c := range net.clients {
		c.SetCaps(variants[i%len(variants)])
	}
	net.joinAll("#bench")
	msg := irc.MustParseMessage("PRIVMSG #bench :hello everyone")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		net.d.Dispatch(net.clients[0], msg)
	}
}

// BenchmarkDirectMessage measures a PRIVMSG to one nick: casefold through
// the LRU, registry lookup, one delivery.
func BenchmarkDirectMessage(b *testing.B) {
	net := newBenchNetwork(b, 1000)
	msg := irc.MustParseMessage("PRIVMSG User999 :hi there")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		net.d.Dispatch(net.clients[0], msg)
	}
}

// BenchmarkDispatchPing measures the dispatcher's fixed cost per line.
func BenchmarkDispatchPing(b *testing.B) {
	net := newBenchNetwork(b, 1)
	msg := irc.MustParseMessage("PING token")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		net.d.Dispatch(net.clients[0], msg)
	}
}

// TestFanoutAllocationsDoNotGrowWithMembers pins the serialise-once
// design: the allocations of one channel message are the same for 50 and
// for 2,000 members.
func TestFanoutAllocationsDoNotGrowWithMembers(t *testing.T) {
	allocs := func(members int) float64 {
		net := newBenchNetwork(t, members)
		net.joinAll("#a")
		msg := irc.MustParseMessage("PRIVMSG #a :hello")
		return testing.AllocsPerRun(50, func() { net.d.Dispatch(net.clients[0], msg) })
	}
	small, large := allocs(50), allocs(2000)
	if large > small {
		t.Fatalf("allocations per message grow with members: %v for 50, %v for 2000", small, large)
	}
}

// BenchmarkJoinPartInBigChannel measures one member joining and parting a
// channel that already holds n members: the work must grow linearly with
// n (one JOIN and one PART line to each member, and the joiner's NAMES),
// never quadratically. Compare ns/op across sizes: 4x the members should
// cost about 4x, not 16x.
func BenchmarkJoinPartInBigChannel(b *testing.B) {
	for _, members := range []int{500, 2000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			net := newBenchNetwork(b, members+1)
			mover := net.clients[members]
			join := irc.MustParseMessage("JOIN #big")
			for _, c := range net.clients[:members] {
				net.d.Dispatch(c, join)
			}
			part := irc.MustParseMessage("PART #big")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				net.d.Dispatch(mover, join)
				net.d.Dispatch(mover, part)
			}
		})
	}
}

// BenchmarkQuitFromBigChannel measures one member quitting a channel of n
// members (the QUIT line to each, the channel and registries updated):
// linear in n as well.
func BenchmarkQuitFromBigChannel(b *testing.B) {
	for _, members := range []int{500, 2000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			net := newBenchNetwork(b, members)
			join := irc.MustParseMessage("JOIN #big")
			for _, c := range net.clients {
				net.d.Dispatch(c, join)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				conn := &countingConn{}
				c := users.NewClient(uint64(1_000_000+i), conn, netip.MustParseAddr("127.0.0.1"), "127.0.0.1", time.Now(), true)
				net.d.Connected(c)
				net.d.Dispatch(c, irc.MustParseMessage(fmt.Sprintf("NICK q%d", i)))
				net.d.Dispatch(c, irc.MustParseMessage("USER u 0 * :quitter"))
				net.d.Dispatch(c, join)
				b.StartTimer()
				net.d.Quit(c, "Client Quit")
			}
		})
	}
}
