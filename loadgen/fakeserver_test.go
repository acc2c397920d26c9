package loadgen

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
)

// fakeServer is the smallest IRC server the generator can load: it demands
// a PONG to a PING cookie before welcoming (as ngIRCd and InspIRCd can),
// answers NICK/USER with 001 and 376, echoes JOIN with 366, relays PRIVMSG
// to the other members of a channel or to a nick, and closes on QUIT.
type fakeServer struct {
	ln    net.Listener
	mu    sync.Mutex
	nicks map[string]*fakeConn
	chans map[string]map[*fakeConn]bool
	conns sync.WaitGroup
	all   map[*fakeConn]bool
}

// fakeConn is one client of the fake server.
type fakeConn struct {
	conn net.Conn
	wmu  sync.Mutex
	nick string
}

// startFakeServer listens on 127.0.0.1:0 until the test ends.
func startFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &fakeServer{ln: ln, nicks: map[string]*fakeConn{}, chans: map[string]map[*fakeConn]bool{},
		all: map[*fakeConn]bool{}}
	s.conns.Add(1)
	go s.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for c := range s.all {
			_ = c.conn.Close()
		}
		s.mu.Unlock()
		s.conns.Wait()
	})
	return s
}

// addr is the listening "ip:port".
func (s *fakeServer) addr() string { return s.ln.Addr().String() }

func (s *fakeServer) accept() {
	defer s.conns.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := &fakeConn{conn: conn}
		s.mu.Lock()
		s.all[c] = true
		s.mu.Unlock()
		s.conns.Add(1)
		go s.serve(c)
	}
}

func (c *fakeConn) send(line string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, _ = c.conn.Write([]byte(line + "\r\n"))
}

func (s *fakeServer) serve(c *fakeConn) {
	defer s.conns.Done()
	defer s.drop(c)
	sc := bufio.NewScanner(c.conn)
	var nick string
	var gotUser, welcomed bool
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		cmd, rest, _ := strings.Cut(line, " ")
		switch cmd {
		case "NICK":
			nick = rest
		case "USER":
			gotUser = true
		case "PONG":
			if gotUser && !welcomed && strings.TrimPrefix(rest, ":") == "cookie" {
				welcomed = true
				s.mu.Lock()
				c.nick = nick
				s.nicks[nick] = c
				s.mu.Unlock()
				c.send(":fake 001 " + nick + " :Welcome")
				c.send(":fake 376 " + nick + " :End of MOTD")
			}
		case "JOIN":
			s.mu.Lock()
			if s.chans[rest] == nil {
				s.chans[rest] = map[*fakeConn]bool{}
			}
			s.chans[rest][c] = true
			s.mu.Unlock()
			c.send(":" + nick + "!u@h JOIN " + rest)
			c.send(":fake 353 " + nick + " = " + rest + " :" + nick)
			c.send(":fake 366 " + nick + " " + rest + " :End of NAMES")
		case "PRIVMSG":
			s.relay(c, nick, line, rest)
		case "QUIT":
			c.send("ERROR :Closing link")
			return
		}
		if gotUser && nick != "" && !welcomed && cmd != "PONG" {
			c.send("PING :cookie")
		}
	}
}

func (s *fakeServer) relay(from *fakeConn, nick, line, rest string) {
	target, _, _ := strings.Cut(rest, " ")
	out := ":" + nick + "!u@h " + line
	s.mu.Lock()
	var to []*fakeConn
	if strings.HasPrefix(target, "#") {
		for m := range s.chans[target] {
			if m != from {
				to = append(to, m)
			}
		}
	} else if m := s.nicks[target]; m != nil {
		to = append(to, m)
	}
	s.mu.Unlock()
	for _, m := range to {
		m.send(out)
	}
}

func (s *fakeServer) drop(c *fakeConn) {
	_ = c.conn.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.all, c)
	if s.nicks[c.nick] == c {
		delete(s.nicks, c.nick)
	}
	for _, members := range s.chans {
		delete(members, c)
	}
}
