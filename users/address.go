package users

import (
	"errors"
	"fmt"
	"net/netip"
)

// address is where a client connects from. It is fixed once the client is
// registered; before that a web gateway (WEBIRC) may replace the gateway's
// own address with its user's.
type address struct {
	ip       netip.Addr
	realHost string // the host the client connects from (its IP, or the gateway's name for it)
	cloak    string // what others see instead when cloaked; "" when not
	exempt   bool   // bypasses flood control and per-IP limits
}

// IP is the address the client connects from.
func (c *Client) IP() netip.Addr {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.addr.ip
}

// Exempt reports whether the client bypasses flood control and per-IP limits.
func (c *Client) Exempt() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.addr.exempt
}

// RealHost is the host the client really connects from (its IP address
// written out, or the host name a web gateway gave), whatever it shows.
func (c *Client) RealHost() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.addr.realHost
}

// CloakHost is the client's cloak, "" when it has none.
func (c *Client) CloakHost() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.addr.cloak
}

// Readdresser is implemented by connections that keep accounts by address
// (per-IP limits, flood control): Readdress moves the connection to ip and
// host, or refuses when ip has no space left. It runs on the connection's
// read side, as commands do.
type Readdresser interface {
	Readdress(ip netip.Addr, host string, exempt bool) error
}

// ErrRegistered refuses to change the address of a registered client.
var ErrRegistered = errors.New("already registered")

// Readdress replaces the address of a client that is not registered yet
// (WEBIRC): ip and host become both its real and its shown address, exempt
// its exemption from flood control and per-IP limits, and link how it
// connects (the gateway's own TLS and certificate are not its user's). The
// connection is asked first and may refuse (too many connections from ip).
// Others read the transport without a lock once the client is registered;
// registration under the client's lock orders this write before them.
func (c *Client) Readdress(ip netip.Addr, host string, exempt bool, link Transport) error {
	if c.Registered() {
		return ErrRegistered
	}
	if ra, ok := c.conn.(Readdresser); ok {
		if err := ra.Readdress(ip, host, exempt); err != nil {
			return fmt.Errorf("readdress to %s: %w", ip, err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addr.ip, c.addr.realHost, c.addr.exempt = ip, host, exempt
	c.ident.Host = host
	c.link = nil
	if link != (Transport{}) {
		c.link = &link
	}
	return nil
}

// SetCloak records the client's cloak and shows it in place of the real
// host, with user mode +x. It is meant for registration: a change seen by
// others afterwards goes through the dispatcher's host change.
func (c *Client) SetCloak(cloak string) {
	c.mu.Lock()
	c.addr.cloak = cloak
	c.mu.Unlock()
	c.Update(func(id *Identity) {
		id.Host = cloak
		id.Modes |= UserModes(ModeCloaked)
	})
}
