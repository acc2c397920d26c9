package users

import (
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is a client's handle to its network connection, implemented by the
// server room. Both methods are safe to call from any goroutine and never
// block on the network.
type Conn interface {
	// Send queues one complete line (ending in CRLF) for the client. The
	// bytes may be shared with other recipients and must not be modified.
	// A client whose queue overflows is disconnected by its connection.
	Send(line []byte)
	// Close sends ERROR with the reason and hangs up; the connection then
	// runs the quit path once with the same reason.
	Close(reason string)
}

// Channel is a channel a client is a member of. The users room only keeps
// the set so that QUIT, NICK and WHOIS can find a client's channels.
type Channel interface {
	// Name is the channel's display name.
	Name() string
}

// UserMode is one user mode letter, as a bit.
type UserMode uint16

// The user modes the server knows.
const (
	ModeInvisible     UserMode = 1 << iota // +i
	ModeOperator                           // +o
	ModeWallops                            // +w
	ModeServerNotices                      // +s
	ModeBot                                // +B
	ModeCloaked                            // +x: others see a cloak of the address
)

var userModeLetters = []struct {
	mode   UserMode
	letter byte
}{{ModeInvisible, 'i'}, {ModeOperator, 'o'}, {ModeWallops, 'w'}, {ModeServerNotices, 's'}, {ModeBot, 'B'}, {ModeCloaked, 'x'}}

// UserModeByLetter finds the mode for a letter.
func UserModeByLetter(letter byte) (UserMode, bool) {
	for _, m := range userModeLetters {
		if m.letter == letter {
			return m.mode, true
		}
	}
	return 0, false
}

// UserModes is a set of user modes.
type UserModes UserMode

// Has reports whether m is set.
func (s UserModes) Has(m UserMode) bool { return UserMode(s)&m != 0 }

// String renders the set as "+iw" (just "+" when empty).
func (s UserModes) String() string {
	out := []byte{'+'}
	for _, m := range userModeLetters {
		if s.Has(m.mode) {
			out = append(out, m.letter)
		}
	}
	return string(out)
}

// Identity is a consistent copy of who a client is at one moment.
type Identity struct {
	Nick     string
	User     string
	Host     string
	Realname string
	Account  string
	Away     string
	Modes    UserModes
}

// Source renders nick!user@host, the prefix of lines the client causes.
func (id Identity) Source() string { return id.Nick + "!" + id.User + "@" + id.Host }

// Client is one connected user. Identity fields are guarded by mu; the
// capability set is atomic so that fan-out reads it without locking.
type Client struct {
	id        uint64
	conn      Conn
	signon    time.Time
	link      *Transport // nil for plain TCP; set once before the client is seen
	caps      atomic.Uint64
	lastMsg   atomic.Int64 // unix nanos of the last PRIVMSG/NOTICE, for idle time
	authFails atomic.Int32 // failed OPER (and like) attempts on this connection

	mu         sync.RWMutex
	ident      Identity
	addr       address // where the client connects from (address.go)
	registered bool
	tally      *tally       // set by Registry.Add; nil once removed
	channels   []Channel    // a short list (limits.channels): cheaper than a map per client
	invites    []Invitation // pending invitations, oldest first (see invitations.go)
	reg        Registration

	claim *nickClaim // the current tenure of its nick; guarded by Registry.mu
}

// Registration is what a client has said before it is registered.
type Registration struct {
	// PassOK is true once a correct PASS was given (or none is needed).
	PassOK bool
	// Password is what the client sent with PASS.
	Password string
	// NickGiven and UserGiven record that NICK and USER have been seen.
	NickGiven, UserGiven bool
	// CapNegotiating holds registration open between CAP LS/REQ and CAP END.
	CapNegotiating bool
	// CapVersion is the version from CAP LS (302 enables values and multiline).
	CapVersion int
	// Gateway names the web gateway whose WEBIRC gave the client's address.
	Gateway string
}

// NewClient makes a client for a fresh connection from ip, shown as host.
func NewClient(id uint64, conn Conn, ip netip.Addr, host string, now time.Time, exempt bool) *Client {
	c := &Client{id: id, conn: conn, signon: now}
	c.addr = address{ip: ip, realHost: host, exempt: exempt}
	c.ident = Identity{Nick: "*", Host: host}
	c.lastMsg.Store(now.UnixNano())
	return c
}

// ID is the client's unique number on this server.
func (c *Client) ID() uint64 { return c.id }

// Signon is when the client connected.
func (c *Client) Signon() time.Time { return c.signon }

// Send queues a line for the client without blocking.
func (c *Client) Send(line []byte) { c.conn.Send(line) }

// Close disconnects the client with reason.
func (c *Client) Close(reason string) { c.conn.Close(reason) }

// Closing reports whether the client's connection is closing (when the
// connection can tell: one with a Closing method), so that slow work for
// a client that is leaving can be skipped.
func (c *Client) Closing() bool {
	cc, ok := c.conn.(interface{ Closing() bool })
	return ok && cc.Closing()
}

// Caps is the client's negotiated capability set.
func (c *Client) Caps() CapSet { return CapSet(c.caps.Load()) }

// HasCap reports whether the client negotiated cap.
func (c *Client) HasCap(cp Cap) bool { return c.Caps().Has(cp) }

// SetCaps replaces the capability set.
func (c *Client) SetCaps(s CapSet) { c.caps.Store(uint64(s)) }

// Touch records that the client just sent a message (resets idle time).
func (c *Client) Touch(now time.Time) { c.lastMsg.Store(now.UnixNano()) }

// NoteAuthFailure counts a failed password attempt (OPER) on this
// connection and returns how many there have been, so that each costs the
// client a longer wait.
func (c *Client) NoteAuthFailure() int { return int(c.authFails.Add(1)) }

// Idle is how long since the client last sent a message.
func (c *Client) Idle(now time.Time) time.Duration {
	return now.Sub(time.Unix(0, c.lastMsg.Load()))
}

// Identity returns a consistent copy of the client's identity.
func (c *Client) Identity() Identity {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ident
}

// Nick is the client's current nick ("*" before one is set).
func (c *Client) Nick() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ident.Nick
}

// Source is the client's current nick!user@host.
func (c *Client) Source() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ident.Source()
}

// Registered reports whether the client completed registration.
func (c *Client) Registered() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.registered
}

// SetRegistered marks registration complete.
func (c *Client) SetRegistered() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.registered {
		return
	}
	c.registered = true
	if c.tally != nil {
		c.tally.addUser(c, c.ident.Modes)
	}
}

// Update changes identity fields under the client's lock; f must not call
// back into the client or take other locks.
func (c *Client) Update(f func(id *Identity)) {
	c.mu.Lock()
	before := c.ident.Modes
	f(&c.ident)
	if c.registered && c.tally != nil {
		c.tally.changed(c, before, c.ident.Modes)
	}
	c.mu.Unlock()
}

// track starts counting c in t (nil stops), under the client's lock so
// that no mode change is counted twice or lost.
func (c *Client) track(t *tally) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tally != nil && c.registered {
		c.tally.removeUser(c, c.ident.Modes)
	}
	c.tally = t
}

// Registration returns a copy of the pre-registration state.
func (c *Client) Registration() Registration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.reg
}

// UpdateRegistration changes the pre-registration state under the lock.
func (c *Client) UpdateRegistration(f func(r *Registration)) {
	c.mu.Lock()
	f(&c.reg)
	c.mu.Unlock()
}

// AddChannel records membership of ch; it reports the new number of
// channels.
func (c *Client) AddChannel(ch Channel) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(c.channels, ch) {
		c.channels = append(c.channels, ch)
	}
	return len(c.channels)
}

// RemoveChannel forgets membership of ch.
func (c *Client) RemoveChannel(ch Channel) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.Index(c.channels, ch); i >= 0 {
		last := len(c.channels) - 1
		c.channels[i] = c.channels[last]
		c.channels[last] = nil
		c.channels = c.channels[:last]
	}
	if len(c.channels) == 0 {
		c.channels = nil
	}
}

// ChannelCount is how many channels the client is in.
func (c *Client) ChannelCount() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.channels)
}

// Channels returns the channels the client is in, in no particular order.
func (c *Client) Channels() []Channel {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.channels)
}
