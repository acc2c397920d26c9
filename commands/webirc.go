package commands

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/netip"
	"strings"
	"sync"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// WEBIRC (https://ircv3.net/specs/extensions/webirc): a web gateway, as its
// first command, says which user it connects for:
//
//	WEBIRC <password> <gateway> <hostname> <ip> [:<options>]
//
// From an address listed in a webirc block and with that block's password,
// the user's address and host replace the gateway's before registration,
// so per-IP limits, bans, cloaks and WHOIS see the user. Anything else is
// refused with ERROR and the connection closed, as the spec asks.

// gatewayCommands are the commands of web gateways.
func gatewayCommands() map[string]*command {
	return map[string]*command{
		"WEBIRC": {handler: handleWEBIRC, minParams: 4, preReg: true},
	}
}

func handleWEBIRC(r *Request) {
	c := r.Client
	if c.Registered() || c.Registration().Gateway != "" {
		r.Numeric(ERR_ALREADYREGISTERED, "You may not reregister")
		return
	}
	password, gateway, hostname := r.Params[0], r.Params[1], r.Params[2]
	if c.Identity().Account != "" {
		// Logged in already (SASL) as the gateway's connection: what
		// comes after WEBIRC must be the user's alone.
		r.d.refuseGateway(r, gateway, "WEBIRC must come before authentication")
		return
	}
	ip, err := netip.ParseAddr(r.Params[3])
	if err != nil || ip.Zone() != "" {
		r.d.refuseGateway(r, gateway, "Invalid IP address in WEBIRC")
		return
	}
	ip = ip.Unmap()
	source := c.IP()
	var blocks []conf.WebIRC
	for _, w := range r.Config.WebIRC {
		if conf.Allows(w.Nets(), source) {
			blocks = append(blocks, w)
		}
	}
	if len(blocks) == 0 {
		r.d.refuseGateway(r, gateway, "WebIRC is not allowed from your address")
		return
	}
	// bcrypt is slow on purpose and must not hold a poller worker: the
	// check runs on the slow pool (Request.Later). Only a listed gateway
	// address gets this far, and a password once found right is
	// remembered, so a gateway's stream of users costs one bcrypt.
	check := func() (string, bool) {
		for _, w := range blocks {
			if r.d.gatewayPasswords.check(w.Password, password) {
				return w.Name, true
			}
		}
		return "", false
	}
	r.Later(func(r *Request) {
		name, ok := check()
		r.d.finishWEBIRC(r, gateway, name, ok, ip, hostname)
	})
}

// finishWEBIRC applies a checked WEBIRC: name is the webirc block whose
// password matched (ok).
func (d *Dispatcher) finishWEBIRC(r *Request, gateway, name string, ok bool, ip netip.Addr, hostname string) {
	c := r.Client
	if !ok {
		d.refuseGateway(r, gateway, "Invalid WebIRC password")
		return
	}
	host := ipHost(ip)
	if validHost(hostname) && !isIPLiteral(hostname) {
		host = hostname
	}
	exempt := conf.Allows(r.Config.ExemptNets(), ip)
	// The user's connection to the gateway is secure when the gateway says
	// so, believed only when the gateway's own connection is (TLS, or this
	// machine). The gateway's certificate is its own, never its user's.
	secure := hasOption(r.Param(4), "secure") && (c.Secure() || c.IP().IsLoopback())
	if err := c.Readdress(ip, host, exempt, users.Transport{Secure: secure}); err != nil {
		d.log.Warn("webirc refused", "gateway", name, "from", c.IP().String(), "ip", ip.String(), "err", err)
		r.flush()
		c.Close("Too many connections from your IP address")
		return
	}
	c.UpdateRegistration(func(reg *users.Registration) { reg.Gateway = name })
	d.log.Info("webirc", "gateway", name, "name_sent", gateway, "ip", ip.String(), "host", host)
}

// hasOption reports whether a WEBIRC options parameter (space-separated
// name[=value] items) holds the option name.
func hasOption(options, name string) bool {
	for _, item := range strings.Fields(options) {
		if n, _, _ := strings.Cut(item, "="); n == name {
			return true
		}
	}
	return false
}

// refuseGateway closes a connection whose WEBIRC is refused, and logs why
// with the address it came from.
func (d *Dispatcher) refuseGateway(r *Request, gateway, reason string) {
	d.log.Warn("webirc refused", "from", r.Client.IP().String(), "name_sent", gateway, "reason", reason)
	r.flush()
	r.Client.Close(reason)
}

// ipHost writes an address as a host: a leading ':' would break the
// protocol's nick!user@host, so ::1 shows as 0::1.
func ipHost(ip netip.Addr) string {
	h := ip.String()
	if h[0] == ':' {
		h = "0" + h
	}
	return h
}

// isIPLiteral reports whether a host is an address written out.
func isIPLiteral(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

// verifiedKeySize is the size of the key verifiedPasswords hashes with.
const verifiedKeySize = 32

// maxVerifiedPasswords bounds verifiedPasswords; past it, it starts over
// (hashes of blocks removed by a reload would otherwise stay).
const maxVerifiedPasswords = 64

// verifiedPasswords remembers, for each bcrypt hash, a keyed hash of the
// password last found to match it, so that checking the same password
// again costs an HMAC instead of a bcrypt.
type verifiedPasswords struct {
	key []byte
	mu  sync.Mutex
	ok  map[string][]byte
}

// check reports whether password matches the bcrypt hash.
func (v *verifiedPasswords) check(hash, password string) bool {
	mac := hmac.New(sha256.New, v.key)
	mac.Write([]byte(password))
	sum := mac.Sum(nil)
	v.mu.Lock()
	known := v.ok[hash]
	v.mu.Unlock()
	if known != nil && hmac.Equal(known, sum) {
		return true
	}
	if !conf.CheckPassword(hash, password) {
		return false
	}
	v.mu.Lock()
	if v.ok == nil || len(v.ok) >= maxVerifiedPasswords {
		v.ok = make(map[string][]byte)
	}
	v.ok[hash] = sum
	v.mu.Unlock()
	return true
}
