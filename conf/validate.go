package conf

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// Values of log.level and log.format.
const (
	logLevels  = "debug, info, warn, error"
	logFormats = "text, json"
)

// casemappings lists the casemapping values the users package implements.
const casemappings = "rfc1459, rfc1459-strict, ascii"

// checker collects what is wrong with a Config, by key. The source of each
// problem is filled in by the loader, which knows where each key came from.
type checker struct {
	problems []problem
}

// addf records a problem with key.
func (c *checker) addf(key, format string, args ...any) {
	c.problems = append(c.problems, problem{key: key, msg: fmt.Sprintf(format, args...)})
}

// between checks that an integer lies in [lo, hi].
func (c *checker) between(key string, v, lo, hi int) {
	if v < lo || v > hi {
		c.addf(key, "must be between %d and %d (got %d)", lo, hi, v)
	}
}

// atLeast checks that an integer is no smaller than lo.
func (c *checker) atLeast(key string, v, lo int) {
	if v < lo {
		c.addf(key, "must be at least %d (got %d)", lo, v)
	}
}

// longEnough checks that a duration is no shorter than lo.
func (c *checker) longEnough(key string, v, lo time.Duration) {
	switch {
	case v > 0 && v < time.Millisecond:
		// A bare number reads as nanoseconds; say what was probably meant.
		c.addf(key, "must be at least %s (got %s; give a unit, like %ds)", lo, v, v.Nanoseconds())
	case v < lo:
		c.addf(key, "must be at least %s (got %s)", lo, v)
	}
}

// word checks that a string is non-empty and has no spaces.
func (c *checker) word(key, v string) {
	switch {
	case v == "":
		c.addf(key, "must not be empty")
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		c.addf(key, "must not contain spaces (got %q)", v)
	}
}

// validate reports every problem with the values of c. Keys are dotted, and
// list entries are indexed: "operators[1].password".
func (c *Config) validate() []problem {
	var ch checker
	ch.server(c.Server)
	ch.listeners(c)
	ch.sts(c)
	ch.limits(c.Limits)
	ch.longEnough("timeouts.registration", c.Timeouts.Registration, time.Second)
	ch.longEnough("timeouts.ping", c.Timeouts.Ping, 5*time.Second)
	ch.longEnough("timeouts.handshake", c.Timeouts.Handshake, 100*time.Millisecond)
	ch.atLeast("flood.burst", c.Flood.Burst, 1)
	if !(c.Flood.Rate > 0) {
		ch.addf("flood.rate", "must be more than 0 (got %v)", c.Flood.Rate)
	}
	ch.atLeast("flood.recvq", c.Flood.RecvQ, 1024)
	ch.atLeast("sendq", c.SendQ, 4096)
	if c.Password != "" {
		ch.hash("password", c.Password)
	}
	ch.operators(c.Operators)
	ch.web(c.Web)
	ch.exempt(c.Exempt)
	ch.edge(c)
	ch.accounts(c.Accounts)
	for i, name := range c.Capabilities.Disabled {
		ch.word(fmt.Sprintf("capabilities.disabled[%d]", i), name)
	}
	ch.history(c.History)
	ch.oneOf("log.level", c.Log.Level, logLevels)
	ch.oneOf("log.format", c.Log.Format, logFormats)
	return ch.problems
}

// server checks the server's names.
func (c *checker) server(s Server) {
	if err := checkServerName(s.Name); err != nil {
		c.addf("server.name", "%v (got %q)", err, s.Name)
	}
	c.word("server.network", s.Network)
	c.oneOf("server.casemapping", s.Casemapping, casemappings)
}

// oneOf checks that v is one of a comma-separated list of choices.
func (c *checker) oneOf(key, v, choices string) {
	if !slices.Contains(strings.Split(choices, ", "), v) {
		c.addf(key, "must be one of %s (got %q)", choices, v)
	}
}

// checkServerName accepts hostname-like names with at least one dot, since
// a name without one would be taken for a nickname in message prefixes.
func checkServerName(name string) error {
	switch {
	case !strings.Contains(name, "."):
		return fmt.Errorf("must contain a dot")
	case len(name) > 255:
		return fmt.Errorf("must be at most 255 characters")
	case strings.HasPrefix(name, ".") || strings.HasSuffix(name, "."):
		return fmt.Errorf("must not start or end with a dot")
	}
	for _, r := range name {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_", r))) {
			return fmt.Errorf("may hold only letters, digits, '.', '-' and '_'")
		}
	}
	return nil
}

// checkListenAddr checks one host:port address.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("must be host:port, like \":531\" or \"[::1]:531\"")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port must be a number from 0 to 65535")
	}
	return nil
}

// limits checks lengths and counts. Lengths stay below the 512-byte line
// that must carry them.
func (c *checker) limits(l Limits) {
	c.between("limits.nicklen", l.NickLen, 1, 255)
	c.between("limits.channellen", l.ChannelLen, 2, 255)
	c.between("limits.topiclen", l.TopicLen, 1, 450)
	c.between("limits.awaylen", l.AwayLen, 1, 450)
	c.between("limits.kicklen", l.KickLen, 1, 450)
	c.between("limits.namelen", l.NameLen, 1, 450)
	c.between("limits.userlen", l.UserLen, 1, 255)
	c.atLeast("limits.channels", l.Channels, 1)
	c.atLeast("limits.targets", l.Targets, 1)
	c.atLeast("limits.listsize", l.ListSize, 1)
	c.between("limits.modes", l.Modes, 1, 100)
	c.atLeast("limits.monitor", l.Monitor, 0)
	c.atLeast("limits.whowas", l.Whowas, 0)
	c.atLeast("limits.perip", l.PerIP, 1)
}

// hash checks that a secret is stored as a bcrypt hash. The value itself is
// never repeated, in case it is a password typed in plain text.
func (c *checker) hash(key, v string) {
	if !isBcryptHash(v) {
		c.addf(key, "must be a bcrypt hash (make one with `conferenced genpasswd`)")
	}
}

// isBcryptHash reports whether s looks like, and parses as, a bcrypt hash.
func isBcryptHash(s string) bool {
	if !strings.HasPrefix(s, "$2a$") && !strings.HasPrefix(s, "$2b$") && !strings.HasPrefix(s, "$2y$") {
		return false
	}
	_, err := bcrypt.Cost([]byte(s))
	return err == nil
}

// operators checks each OPER account.
func (c *checker) operators(ops []Operator) {
	seen := map[string]bool{}
	for i, op := range ops {
		key := fmt.Sprintf("operators[%d]", i)
		c.word(key+".name", op.Name)
		if seen[op.Name] && op.Name != "" {
			c.addf(key+".name", "%q is used by an earlier operator", op.Name)
		}
		seen[op.Name] = true
		c.hash(key+".password", op.Password)
		for j, mask := range op.Hosts {
			c.word(fmt.Sprintf("%s.hosts[%d]", key, j), mask)
		}
		if op.CertFP != "" && !isCertFP(op.CertFP) {
			c.addf(key+".certfp", "must be a SHA-256 fingerprint: 64 hex digits, colons allowed (got %q)", op.CertFP)
		}
	}
}

// exempt checks that each entry is a CIDR or a single address.
func (c *checker) exempt(entries []string) {
	for i, e := range entries {
		if _, err := parseExempt(e); err != nil {
			c.addf(fmt.Sprintf("exempt[%d]", i), "must be a CIDR like 192.0.2.0/24 or an address (got %q)", e)
		}
	}
}

// parseExempt parses a CIDR, or a bare address as a prefix holding just
// that address.
func parseExempt(s string) (netip.Prefix, error) {
	if addr, err := netip.ParseAddr(s); err == nil && addr.Zone() == "" {
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("parse exempt %q: %w", s, err)
	}
	return p.Masked(), nil
}

// exemptNets parses the entries that parse and skips the others; Load has
// already reported those.
func exemptNets(entries []string) []netip.Prefix {
	nets := make([]netip.Prefix, 0, len(entries))
	for _, e := range entries {
		if p, err := parseExempt(e); err == nil {
			nets = append(nets, p)
		}
	}
	return nets
}
