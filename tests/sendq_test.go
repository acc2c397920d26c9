package tests

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/conference-irc/conference/tests/harness"
)

// TestBigReplyStreams: a JOIN whose reply (the implicit NAMES of twenty
// channels, with userhost-in-names) is far larger than the send queue
// streams to a client that reads: the client gets all of it and stays.
func TestBigReplyStreams(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet+"sendq: 4096\n")
	const channels, members = 20, 8
	var names []string
	for i := 0; i < channels; i++ {
		names = append(names, fmt.Sprintf("#big%d", i))
	}
	for m := 0; m < members; m++ {
		c := srv.Register(t, fmt.Sprintf("member%02d_%s", m, strings.Repeat("x", 16)))
		c.Send("JOIN " + strings.Join(names, ","))
		for range names {
			c.ExpectNumeric("366")
		}
	}
	asker := srv.Register(t, "asker", "userhost-in-names", "multi-prefix")
	asker.Send("JOIN " + strings.Join(names, ","))
	bytes, ends := 0, 0
	for ends < channels {
		m := asker.Next()
		switch m.Command {
		case "353":
			bytes += len(m.Trailing())
		case "366":
			ends++
		case "ERROR":
			t.Fatalf("dropped after %d of %d channels: %v", ends, channels, m)
		}
	}
	if bytes <= 4096 {
		t.Fatalf("NAMES replies held %d bytes: not more than the send queue, the test proves nothing", bytes)
	}
	asker.Sync() // still connected
}

// TestSendQDropSaysWhy: a client cut off for its send queue gets an ERROR
// line saying so before the connection closes (once it reads again).
func TestSendQDropSaysWhy(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, quiet+"sendq: 4096\n")
	slow := srv.Register(t, "slow")
	flooder := srv.Register(t, "flooder")
	join(t, slow, "#flood")
	join(t, flooder, "#flood")
	flooder.Sync()
	// slow stops reading; the flood fills the kernel's buffers, then the
	// send queue.
	text := strings.Repeat("z", 400)
	dropped := false
	for sent := 0; sent < 200000 && !dropped; sent += 20 {
		flooder.SendRaw(strings.Repeat("PRIVMSG #flood :"+text+"\r\n", 20))
		for _, m := range flooder.Sync() {
			if m.Command == "QUIT" && m.Prefix.Name == "slow" {
				dropped = true
			}
		}
	}
	if !dropped {
		t.Fatal("slow reader never dropped")
	}
	slow.Conn.SetReadDeadline(time.Now().Add(harness.Timeout))
	r := bufio.NewReaderSize(slow.Conn, 1<<16)
	last := ""
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading what slow was sent: %v", err)
		}
		last = line
	}
	if !strings.HasPrefix(last, "ERROR :Closing Link: ") || !strings.Contains(last, "(SendQ exceeded)") {
		t.Errorf("last line %q, want ERROR ... (SendQ exceeded)", last)
	}
}
