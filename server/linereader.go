package server

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// Line length limits from the IRCv3 message-tags specification.
const (
	maxTagBytes       = 8191 // the tag section, '@' and trailing space included
	maxClientTagBytes = 4094 // the tag data a client may send, '@' and space excluded
	maxBodyBytes      = 512  // the rest, CRLF included
	maxLineBytes      = maxTagBytes + maxBodyBytes
	smallReadBuffer   = 512
)

// errLineTooLong reports a line over the limits; its bytes were discarded.
var errLineTooLong = errors.New("line too long")

// errBufferFull reports that read-ahead reached its limit.
var errBufferFull = errors.New("receive buffer full")

// lineReader splits a byte stream into lines (LF, CRLF) with bounded
// memory: a line longer than maxLineBytes is discarded up to its end and
// reported once as errLineTooLong. The buffer starts small and grows only
// for long lines or for read-ahead while a client is throttled.
type lineReader struct {
	r        io.Reader
	pool     *sync.Pool // of small buffers; nil: allocate
	buf      []byte     // nil while nothing is buffered (see release)
	start    int
	end      int
	skipping bool // discarding the rest of an over-long line
}

// newLineReader reads lines from r, taking small buffers from pool (which
// may be nil) only while it holds unprocessed bytes.
func newLineReader(r io.Reader, pool *sync.Pool) *lineReader {
	return &lineReader{r: r, pool: pool}
}

// newReadBufferPool makes the pool of small read buffers lineReaders share.
func newReadBufferPool() *sync.Pool {
	return &sync.Pool{New: func() any { return new([smallReadBuffer]byte) }}
}

// smallBuffer returns a small buffer, from the pool when there is one.
func (lr *lineReader) smallBuffer() []byte {
	if lr.pool == nil {
		return make([]byte, smallReadBuffer)
	}
	return lr.pool.Get().(*[smallReadBuffer]byte)[:]
}

// release gives the buffer back when it holds nothing: an idle client
// keeps no read buffer.
func (lr *lineReader) release() {
	if lr.start != lr.end || lr.skipping || lr.buf == nil {
		return
	}
	lr.drop()
}

// drop gives the buffer back, discarding anything in it.
func (lr *lineReader) drop() {
	if lr.pool != nil && cap(lr.buf) == smallReadBuffer {
		lr.pool.Put((*[smallReadBuffer]byte)(lr.buf[:smallReadBuffer]))
	}
	lr.buf, lr.start, lr.end, lr.skipping = nil, 0, 0, false
}

// buffered is how many unprocessed bytes are held.
func (lr *lineReader) buffered() int { return lr.end - lr.start }

// next returns the next line without its terminator. The slice is valid
// until the next call.
func (lr *lineReader) next() ([]byte, error) {
	for {
		if line, ok, err := lr.scan(); ok || err != nil {
			return line, err
		}
		if err := lr.fill(maxLineBytes); err != nil {
			return nil, err
		}
	}
}

// scan looks for a complete line in the buffer.
func (lr *lineReader) scan() ([]byte, bool, error) {
	i := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n')
	if i < 0 {
		if lr.skipping || lr.buffered() >= maxLineBytes {
			// Too long and still no end: drop what we have, skip to LF.
			lr.start, lr.end = 0, 0
			lr.skipping = true
		}
		return nil, false, nil
	}
	line := lr.buf[lr.start : lr.start+i]
	lr.start += i + 1
	if lr.skipping {
		lr.skipping = false
		return nil, false, errLineTooLong
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > maxLineBytes-2 {
		return nil, false, errLineTooLong
	}
	return line, true, nil
}

// fill reads more bytes, growing the buffer up to limit bytes of content.
func (lr *lineReader) fill(limit int) error {
	if lr.buf == nil {
		lr.buf = lr.smallBuffer()
	}
	if lr.start == lr.end {
		lr.start, lr.end = 0, 0
		if cap(lr.buf) > 4*smallReadBuffer {
			// A long line or a flood grew the buffer; give it back.
			lr.buf = lr.smallBuffer()
		}
	}
	if lr.end == len(lr.buf) {
		if lr.start > 0 {
			lr.end = copy(lr.buf, lr.buf[lr.start:lr.end])
			lr.start = 0
		}
		if lr.end == len(lr.buf) {
			size := min(max(2*len(lr.buf), smallReadBuffer), limit+1)
			if size <= len(lr.buf) {
				return errBufferFull
			}
			grown := make([]byte, size)
			copy(grown, lr.buf[:lr.end])
			lr.buf = grown
		}
	}
	n, err := lr.r.Read(lr.buf[lr.end:])
	lr.end += n
	if n > 0 {
		return nil
	}
	return err
}
