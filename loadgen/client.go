package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// writeTimeout bounds one write; a server that stops reading for this long
// has failed the run.
const writeTimeout = 10 * time.Second

// client is one IRC connection. Its own goroutine reads; scheduler shards
// and teardown write under wmu.
type client struct {
	id   int
	nick string
	conn net.Conn
	br   *bufio.Reader

	wmu sync.Mutex

	// received counts load messages delivered to this client; only its
	// reader adds, others load.
	received atomic.Int64
	// lat receives this client's latency samples; shared with others.
	lat *Histogram
	// epoch is the run's time zero for load message timestamps.
	epoch time.Time
}

// serverError is an ERROR line or a fatal numeric from the server.
type serverError struct {
	what string // "ERROR" or the numeric
	text string
}

func (e *serverError) Error() string { return e.what + " " + e.text }

// dialClient connects one client over the configured transport; ctx
// bounds the dial.
func dialClient(ctx context.Context, cfg *Config, addr string, id int, nick string, bufSize int) (*client, error) {
	conn, err := dialTransport(ctx, cfg, addr)
	if err != nil {
		return nil, err
	}
	return &client{id: id, nick: nick, conn: conn, br: bufio.NewReaderSize(conn, bufSize)}, nil
}

// write sends p as one write, under the write lock.
func (c *client) write(p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return fmt.Errorf("set write deadline: %w", err)
	}
	if _, err := c.conn.Write(p); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// readLine returns the next line without CR LF, aliasing the reader's
// buffer until the next call. Lines longer than the buffer are skipped.
func (c *client) readLine() ([]byte, error) {
	for {
		line, err := c.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = c.br.ReadSlice('\n')
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > 0 {
			return line, nil
		}
	}
}

// pong answers a PING with the same parameters.
func (c *client) pong(params []byte) error {
	msg := make([]byte, 0, len(params)+7)
	msg = append(msg, "PONG "...)
	msg = append(msg, params...)
	msg = append(msg, "\r\n"...)
	return c.write(msg)
}

// fatalRegistration lists the numerics after which registration cannot
// succeed: nick problems, password mismatch, bans.
var fatalRegistration = map[string]bool{
	"432": true, "433": true, "436": true, "437": true, "464": true, "465": true,
}

// register sends NICK and USER and waits for 001 and then the end of the
// MOTD (376 or 422). It returns when 001 arrived. The caller sets the
// deadline.
func (c *client) register() (welcomed time.Time, err error) {
	hello := "NICK " + c.nick + "\r\nUSER " + c.nick + " 0 * :conference-load\r\n"
	if err := c.write([]byte(hello)); err != nil {
		return time.Time{}, fmt.Errorf("send NICK/USER: %w", err)
	}
	for {
		line, err := c.readLine()
		if err != nil {
			return time.Time{}, fmt.Errorf("wait for welcome: %w", err)
		}
		cmd, params := splitCommand(line)
		switch {
		case string(cmd) == "PING":
			if err := c.pong(params); err != nil {
				return time.Time{}, err
			}
		case string(cmd) == "001":
			welcomed = time.Now()
		case string(cmd) == "376" || string(cmd) == "422":
			if !welcomed.IsZero() {
				return welcomed, nil
			}
		case string(cmd) == "ERROR":
			return time.Time{}, &serverError{"ERROR", string(trailing(params))}
		case fatalRegistration[string(cmd)]:
			return time.Time{}, &serverError{string(cmd), string(trailing(params))}
		}
	}
}

// join sends JOIN and waits for the end of the NAMES list (366) of that
// channel; any 4xx or 5xx numeric fails the join.
func (c *client) join(channel string) error {
	if err := c.write([]byte("JOIN " + channel + "\r\n")); err != nil {
		return fmt.Errorf("send JOIN: %w", err)
	}
	for {
		line, err := c.readLine()
		if err != nil {
			return fmt.Errorf("wait for 366 of %s: %w", channel, err)
		}
		cmd, params := splitCommand(line)
		switch {
		case string(cmd) == "PING":
			if err := c.pong(params); err != nil {
				return err
			}
		case string(cmd) == "366":
			if bytes.EqualFold(nthParam(params, 1), []byte(channel)) {
				return nil
			}
		case string(cmd) == "ERROR":
			return &serverError{"ERROR", string(trailing(params))}
		case len(cmd) == 3 && (cmd[0] == '4' || cmd[0] == '5'):
			return &serverError{string(cmd), string(trailing(params))}
		}
	}
}

// readLoop reads until the connection fails or closes, answering PINGs and
// counting load messages. It returns why it stopped.
func (c *client) readLoop() error {
	var lastError string
	for {
		line, err := c.readLine()
		if err != nil {
			if lastError != "" {
				return &serverError{"ERROR", lastError}
			}
			return err
		}
		cmd, params := splitCommand(line)
		switch string(cmd) {
		case "PRIVMSG":
			c.onPrivmsg(params)
		case "PING":
			if err := c.pong(params); err != nil {
				return err
			}
		case "ERROR":
			lastError = string(trailing(params))
		}
	}
}

// onPrivmsg records a load message's latency. It must not allocate: it runs
// once per delivery.
func (c *client) onPrivmsg(params []byte) {
	m, ok := parseLoadText(trailing(params))
	if !ok || m.sender == int64(c.id) {
		// Not ours, or the server echoed our own message back.
		return
	}
	c.lat.RecordNanos(int64(time.Since(c.epoch)) - m.sentNanos)
	c.received.Add(1)
}

// quitAndClose says goodbye without waiting and closes the connection.
func (c *client) quitAndClose() {
	if c.wmu.TryLock() {
		_ = c.conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, _ = c.conn.Write([]byte("QUIT :load done\r\n"))
		c.wmu.Unlock()
	}
	_ = c.conn.Close()
}

// nickFor returns the nick of client i: the prefix and i in decimal, so
// that "load" and 50,000 clients stay within RFC 2812's nine characters.
func nickFor(prefix string, i int) string { return prefix + strconv.Itoa(i) }

// channelFor returns the name of channel i.
func channelFor(prefix string, i int) string { return "#" + prefix + strconv.Itoa(i) }
