package server

import (
	"errors"
	"net/netip"
)

// errTooManyFromIP refuses a new address that has no connection left.
var errTooManyFromIP = errors.New("too many connections from this address")

// Readdress moves the connection's accounts to a new address before
// registration (WEBIRC): the per-IP count goes from the gateway's address
// to the user's, refused when that one is full, and flood control follows
// the new address's exemption. It runs on the read side, which owns the
// token bucket.
func (c *conn) Readdress(ip netip.Addr, host string, exempt bool) error {
	s := c.srv
	cfg := s.disp.Config()
	oldExempt, oldKey := c.client.Exempt(), ipKey(c.client.IP())
	newKey := ipKey(ip)
	s.mu.Lock()
	if !exempt && (oldExempt || newKey != oldKey) && s.perIP[newKey] >= cfg.Limits.PerIP {
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

	switch {
	case exempt:
		c.in.bucket = nil
	case c.in.bucket == nil:
		c.in.bucket = newTokenBucket(cfg.Flood.Rate, cfg.Flood.Burst, s.clock.Now())
	}
	c.mu.Lock()
	c.host = host
	c.mu.Unlock()
	return nil
}
