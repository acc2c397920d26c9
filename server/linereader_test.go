package server

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll drains lr, returning each line (or "<too long>") until an error.
func readAll(t *testing.T, lr *lineReader) ([]string, error) {
	t.Helper()
	var out []string
	for i := 0; i < 10000; i++ {
		line, err := lr.next()
		switch {
		case errors.Is(err, errLineTooLong):
			out = append(out, "<too long>")
		case err != nil:
			return out, err
		default:
			out = append(out, string(line))
		}
		if cap(lr.buf) > maxLineBytes+1 {
			t.Fatalf("buffer grew to %d bytes", cap(lr.buf))
		}
	}
	t.Fatal("reader never ended")
	return nil, nil
}

func TestLineReaderSplits(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"crlf", "PING a\r\nPING b\r\n", []string{"PING a", "PING b"}},
		{"lf", "PING a\nPING b\n", []string{"PING a", "PING b"}},
		{"mixed", "A\r\nB\nC\r\n", []string{"A", "B", "C"}},
		{"empty lines", "\r\n\n\r\nX\n", []string{"", "", "", "X"}},
		{"bare cr stays inside", "A\rB\r\n", []string{"A\rB"}},
		{"only last cr stripped", "A\r\r\n", []string{"A\r"}},
		{"unterminated tail dropped", "A\nB", []string{"A"}},
		{"nul kept", "A\x00B\n", []string{"A\x00B"}},
	}
	for _, tt := range tests {
		for _, reader := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{
			{"whole", func(r io.Reader) io.Reader { return r }},
			{"byte by byte", iotest.OneByteReader},
			{"half", iotest.HalfReader},
		} {
			t.Run(tt.name+"/"+reader.name, func(t *testing.T) {
				lr := newLineReader(reader.wrap(strings.NewReader(tt.in)), nil)
				got, err := readAll(t, lr)
				if err != io.EOF {
					t.Errorf("ended with %v, want EOF", err)
				}
				if strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Errorf("lines = %q, want %q", got, tt.want)
				}
			})
		}
	}
}

func TestLineReaderLimits(t *testing.T) {
	longest := strings.Repeat("x", maxLineBytes-2)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"longest line with crlf", longest + "\r\nNEXT\r\n", []string{longest, "NEXT"}},
		{"longest line with lf", longest + "\nNEXT\n", []string{longest, "NEXT"}},
		{"one byte over, crlf", longest + "x\r\nNEXT\r\n", []string{"<too long>", "NEXT"}},
		{"one byte over, lf", longest + "x\nNEXT\n", []string{"<too long>", "NEXT"}},
		{"100 KB line", strings.Repeat("y", 100<<10) + "\r\nNEXT\r\n", []string{"<too long>", "NEXT"}},
		{"two long lines", strings.Repeat("y", 20000) + "\n" + strings.Repeat("z", 9000) + "\nNEXT\n",
			[]string{"<too long>", "<too long>", "NEXT"}},
		{"long line between short", "A\n" + strings.Repeat("y", 50000) + "\nB\n", []string{"A", "<too long>", "B"}},
	}
	for _, tt := range tests {
		for _, one := range []bool{false, true} {
			name := tt.name
			var r io.Reader = strings.NewReader(tt.in)
			if one {
				name += "/byte by byte"
				r = iotest.OneByteReader(r)
			}
			t.Run(name, func(t *testing.T) {
				got, err := readAll(t, newLineReader(r, nil))
				if err != io.EOF {
					t.Errorf("ended with %v, want EOF", err)
				}
				if strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Errorf("got %d lines %.80q, want %q", len(got), got, tt.want)
				}
			})
		}
	}
}

// TestLineReaderEndlessLine feeds a megabyte without a newline: memory stays
// bounded and nothing is returned until the line ends.
func TestLineReaderEndlessLine(t *testing.T) {
	data := bytes.Repeat([]byte("a"), 1<<20)
	lr := newLineReader(bytes.NewReader(data), nil)
	_, err := lr.next()
	if err != io.EOF {
		t.Fatalf("next = %v, want EOF", err)
	}
	if cap(lr.buf) > maxLineBytes+1 {
		t.Errorf("buffer grew to %d bytes for an endless line", cap(lr.buf))
	}
}

func TestLineReaderShrinksAfterLongLine(t *testing.T) {
	in := strings.Repeat("x", 8000) + "\n" + "PING a\n"
	lr := newLineReader(strings.NewReader(in), nil)
	if line, err := lr.next(); err != nil || len(line) != 8000 {
		t.Fatalf("first line: %d bytes, %v", len(line), err)
	}
	if line, err := lr.next(); err != nil || string(line) != "PING a" {
		t.Fatalf("second line: %q, %v", line, err)
	}
	if _, err := lr.next(); err != io.EOF {
		t.Fatalf("third read: %v", err)
	}
	if cap(lr.buf) > 4*smallReadBuffer {
		t.Errorf("buffer kept %d bytes after the long line was consumed", cap(lr.buf))
	}
}

// TestLineReaderFillLimit checks read-ahead: fill stops with errBufferFull
// once limit bytes are waiting.
func TestLineReaderFillLimit(t *testing.T) {
	data := strings.Repeat("PRIVMSG #a :flood\r\n", 1000)
	lr := newLineReader(strings.NewReader(data), nil)
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = lr.fill(1024)
	}
	if !errors.Is(err, errBufferFull) {
		t.Fatalf("fill ended with %v, want errBufferFull", err)
	}
	if n := lr.buffered(); n < 1024 || n > 1025 {
		t.Errorf("buffered %d bytes, want about 1024", n)
	}
	// What was read ahead is still delivered, in order.
	line, err := lr.next()
	if err != nil || string(line) != "PRIVMSG #a :flood" {
		t.Errorf("first line after read-ahead: %q, %v", line, err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestLineReaderPassesErrors(t *testing.T) {
	boom := errors.New("boom")
	lr := newLineReader(io.MultiReader(strings.NewReader("A\nB"), errReader{boom}), nil)
	if line, err := lr.next(); err != nil || string(line) != "A" {
		t.Fatalf("first: %q %v", line, err)
	}
	if _, err := lr.next(); !errors.Is(err, boom) {
		t.Fatalf("second: %v, want boom", err)
	}
}
