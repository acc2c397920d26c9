package server

import (
	"io"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/conference-irc/conference/conf"
)

// linesReader hands out the same line n times, then would block.
type linesReader struct {
	line []byte
	n    int
	off  int
}

func (r *linesReader) Read(p []byte) (int, error) {
	w := 0
	for r.n > 0 && w < len(p) {
		k := copy(p[w:], r.line[r.off:])
		w += k
		if r.off += k; r.off == len(r.line) {
			r.off = 0
			r.n--
		}
	}
	if w == 0 {
		return 0, errWouldBlock
	}
	return w, nil
}

// discardConn is a net.Conn that swallows what is written.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) Close() error                     { return nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }

// BenchmarkReadPath runs registered clients' lines through the read side
// (line reader, flood limiter, parse, dispatch) and their replies through
// the send queue to a writer that discards them: the per-line cost of the
// edge around the dispatcher.
func BenchmarkReadPath(b *testing.B) {
	cfg, err := conf.Load(conf.Options{Environ: []string{}, Flags: map[string]any{"listen": []string{"127.0.0.1:0"}}})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	src := &linesReader{line: []byte("NICK bench\r\nUSER bench 0 * :Bench\r\n"), n: 1}
	c := s.admit(admission{nc: discardConn{}, src: src, ip: netip.MustParseAddr("192.0.2.1")})
	c.in.bucket = nil // measure the path, not the limiter's waits
	c.poke()
	src.line = []byte("PING :benchmark\r\n")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		src.n = 64
		c.poke()
	}
}
