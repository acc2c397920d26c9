package server

import (
	"errors"
	"net/netip"
	"time"

	"github.com/conference-irc/conference/conf"
)

// errTooManyFromIP refuses a new address that has no connection left.
var errTooManyFromIP = errors.New("too many connections from this address")

// Readdress moves the connection's accounts to a new address before
// registration (WEBIRC): the per-IP count goes from the gateway's address
// to the user's, refused when that one is full, and flood control is told
// to follow the new address's exemption. It may run on the read side or on
// the slow pool while the read side waits: it touches only what is locked
// (the per-IP counts, the host under the queue lock) and a flag the read
// side reads before its next line.
func (c *conn) Readdress(ip netip.Addr, host string, exempt bool) error {
	s := c.srv
	oldExempt, oldKey := c.client.Exempt(), ipKey(c.client.IP())
	newKey := ipKey(ip)
	s.mu.Lock()
	if !exempt && (oldExempt || newKey != oldKey) && s.perIP[newKey] >= s.disp.Config().Limits.PerIP {
		s.mu.Unlock()
		return errTooManyFromIP
	}
	if !oldExempt {
		if s.perIP[oldKey]--; s.perIP[oldKey] <= 0 {
			delete(s.perIP, oldKey)
		}
	}
	if !exempt {
		s.perIP[newKey]++
	}
	s.mu.Unlock()
	c.mu.Lock()
	c.host = host
	c.mu.Unlock()
	c.readdressed.Store(true)
	return nil
}

// followAddress makes flood control follow a changed address: none for an
// exempt one, a fresh bucket for one that is not. Only the read side calls
// it.
func (c *conn) followAddress(now time.Time, cfg *conf.Config) {
	c.readdressed.Store(false)
	switch exempt := c.client.Exempt(); {
	case exempt:
		c.in.bucket = nil
	case c.in.bucket == nil:
		c.in.bucket = newTokenBucket(cfg.Flood.Rate, cfg.Flood.Burst, now)
	}
}
