package tests

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

// hammer makes c send PRIVMSGs built by next, batch after batch, each
// batch closed by a PING round trip (so that it reads what it gets), until
// stop is closed. Errors are reported with t.Error: it runs on its own
// goroutine.
func hammer(t *testing.T, c *harness.Client, stop <-chan struct{}, next func(i int) string) {
	var b strings.Builder
	for round, i := 0, 0; ; round++ {
		select {
		case <-stop:
			return
		default:
		}
		b.Reset()
		for j := 0; j < 16; j++ {
			b.WriteString(next(i))
			b.WriteString("\r\n")
			i++
		}
		token := "h" + strconv.Itoa(round)
		b.WriteString("PING " + token + "\r\n")
		if _, err := io.WriteString(c.Conn, b.String()); err != nil {
			t.Errorf("%s: write: %v", c.Nick, err)
			return
		}
		for {
			line, err := c.ReadLine()
			if err != nil {
				t.Errorf("%s: read: %v", c.Nick, err)
				return
			}
			if strings.HasSuffix(line, ":"+token) && strings.Contains(line, " PONG ") {
				break
			}
		}
		c.Seen = c.Seen[:0]
	}
}

// TestOwnJoinFirstUnderLoad: a client that joins 50 busy channels in one
// line sees its own JOIN for each before any message said there, and,
// after its own PART, nothing more from it. Ten senders keep every channel
// busy; the client joins and parts twenty times.
func TestOwnJoinFirstUnderLoad(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet)
	const senders, perSender, rounds = 10, 5, 20
	var all []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		c := srv.Register(t, fmt.Sprintf("sender%d", s))
		var mine []string
		for k := 0; k < perSender; k++ {
			name := fmt.Sprintf("#busy%d", s*perSender+k)
			join(t, c, name)
			mine = append(mine, name)
		}
		all = append(all, mine...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			hammer(t, c, stop, func(i int) string { return "PRIVMSG " + mine[i%len(mine)] + " :hello " + strconv.Itoa(i) })
		}()
	}
	defer wg.Wait()
	defer close(stop)

	joiner := srv.Register(t, "joiner")
	in := map[string]bool{}
	for round := 0; round < rounds; round++ {
		for _, step := range []string{"JOIN", "PART"} {
			joiner.Send(step + " " + strings.Join(all, ","))
			done := 0
			for done < len(all) {
				m := joiner.Next()
				switch {
				case m.Command == "PRIVMSG" && !in[m.Param(0)]:
					t.Fatalf("round %d: %s from %s before own JOIN (or after own PART)", round, m.Param(0), m.Prefix.Name)
				case (m.Command == "JOIN" || m.Command == "PART") && m.Prefix.Name == "joiner":
					in[m.Param(0)] = m.Command == "JOIN"
					if m.Command == "PART" {
						done++
					}
				case m.Command == "366":
					done++
				}
			}
			joiner.Seen = joiner.Seen[:0]
		}
	}
}

// TestOwnNickFirstUnderLoad: a client sees its own NICK before any message
// addressed to its new nick, while another client keeps sending to the
// nick it is about to take.
func TestOwnNickFirstUnderLoad(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet)
	const changes = 200
	changer := srv.Register(t, "n0")
	// Peers in a shared channel make the NICK's fan-out take a while.
	join(t, changer, "#peers")
	for i := 0; i < 20; i++ {
		join(t, srv.Register(t, fmt.Sprintf("peer%d", i)), "#peers")
	}
	var target atomic.Int64
	target.Store(1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for s := 0; s < 2; s++ {
		sender := srv.Register(t, fmt.Sprintf("sender%d", s))
		wg.Add(1)
		go func() {
			defer wg.Done()
			hammer(t, sender, stop, func(i int) string { return "PRIVMSG n" + strconv.FormatInt(target.Load(), 10) + " :hi" })
		}()
	}
	defer wg.Wait()
	defer close(stop)

	for k := 1; k <= changes; k++ {
		target.Store(int64(k))
		nick := "n" + strconv.Itoa(k)
		changer.Send("NICK " + nick)
		for {
			m := changer.Next()
			if m.Command == "PRIVMSG" && m.Param(0) == nick {
				t.Fatalf("change %d: a message to %s before own NICK:\n%s", k, nick, strings.Join(changer.Seen, "\n"))
			}
			if m.Command == "NICK" && m.Param(0) == nick {
				break
			}
		}
		changer.Seen = changer.Seen[:0]
	}
}
