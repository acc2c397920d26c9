package bans

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/conference-irc/conference/store"
	"github.com/conference-irc/conference/wildcard"
)

// Kinds of ban.
const (
	// KLine bans a user@host mask.
	KLine = "K"
	// DLine bans an IP address or CIDR range.
	DLine = "D"
)

// Errors of the ban list.
var (
	// ErrBadMask: the mask is not a user@host mask (K) or an IP or CIDR (D).
	ErrBadMask = errors.New("invalid ban mask")
	// ErrNoBan: there is no such ban.
	ErrNoBan = errors.New("no such ban")
)

// maxBans bounds the list so that checks stay cheap.
const maxBans = 10000

// Ban is one server ban.
type Ban = store.ServerBan

// List is every server ban, in memory, backed by the store.
type List struct {
	st    store.BanStore
	clock func() time.Time

	mu   sync.RWMutex
	bans map[string]Ban // kind + " " + mask
	nets map[string]netip.Prefix
}

// Load reads every ban from the store; lapsed ones are kept until removed
// but never match.
func Load(ctx context.Context, st store.BanStore, clock func() time.Time) (*List, error) {
	l := &List{st: st, clock: clock, bans: map[string]Ban{}, nets: map[string]netip.Prefix{}}
	all, err := st.ServerBans(ctx)
	if err != nil {
		return nil, fmt.Errorf("load server bans: %w", err)
	}
	for _, b := range all {
		l.put(b)
	}
	return l, nil
}

func key(kind, mask string) string { return kind + " " + mask }

// put records b in memory (under mu, or before the list is shared).
func (l *List) put(b Ban) {
	l.bans[key(b.Kind, b.Mask)] = b
	if b.Kind == DLine {
		if p, err := ParseDLine(b.Mask); err == nil {
			l.nets[b.Mask] = p
		}
	}
}

// NormalizeMask checks a mask of kind and returns the form it is stored
// under: K-lines lower-cased with a user part (host alone means *@host),
// D-lines as the canonical CIDR.
func NormalizeMask(kind, mask string) (string, error) {
	switch kind {
	case KLine:
		if !strings.Contains(mask, "@") {
			mask = "*@" + mask
		}
		user, host, _ := strings.Cut(strings.ToLower(mask), "@")
		if user == "" || host == "" || strings.ContainsAny(mask, " ,!") || len(mask) > 128 || strings.Count(mask, "@") > 1 {
			return "", ErrBadMask
		}
		return user + "@" + host, nil
	case DLine:
		p, err := ParseDLine(mask)
		if err != nil {
			return "", err
		}
		return p.String(), nil
	}
	return "", ErrBadMask
}

// ParseDLine reads an IP address (a /32 or /128) or a CIDR range.
func ParseDLine(mask string) (netip.Prefix, error) {
	if strings.Contains(mask, "/") {
		p, err := netip.ParsePrefix(mask)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%w: %v", ErrBadMask, err)
		}
		return p.Masked(), nil
	}
	ip, err := netip.ParseAddr(mask)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w: %v", ErrBadMask, err)
	}
	return netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()), nil
}

// Add stores a ban (replacing one of the same kind and mask), committed
// before it returns. The mask must already be normalised.
func (l *List) Add(ctx context.Context, b Ban) error {
	if _, err := NormalizeMask(b.Kind, b.Mask); err != nil {
		return err
	}
	l.mu.RLock()
	n := len(l.bans)
	l.mu.RUnlock()
	if n >= maxBans {
		return fmt.Errorf("%w: the list is full (%d bans)", ErrBadMask, maxBans)
	}
	if err := l.st.PutServerBan(ctx, b); err != nil {
		return err
	}
	l.mu.Lock()
	l.put(b)
	l.mu.Unlock()
	return nil
}

// Remove deletes a ban, committed before it returns.
func (l *List) Remove(ctx context.Context, kind, mask string) error {
	if err := l.st.DeleteServerBan(ctx, kind, mask); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoBan
		}
		return err
	}
	l.mu.Lock()
	delete(l.bans, key(kind, mask))
	delete(l.nets, mask)
	l.mu.Unlock()
	return nil
}

// active reports whether b is in force at now.
func active(b Ban, now time.Time) bool { return b.Expires.IsZero() || now.Before(b.Expires) }

// MatchIP returns the D-line in force that covers ip.
func (l *List) MatchIP(ip netip.Addr) (Ban, bool) {
	ip = ip.Unmap()
	now := l.clock()
	l.mu.RLock()
	defer l.mu.RUnlock()
	for mask, p := range l.nets {
		if p.Contains(ip) {
			if b := l.bans[key(DLine, mask)]; active(b, now) {
				return b, true
			}
		}
	}
	return Ban{}, false
}

// MatchUser returns the K-line in force that matches user at any of
// hosts: every form the client is known by (shown host, real host, cloak,
// IP address), so that a ban matches whichever an operator saw.
func (l *List) MatchUser(user string, hosts []string) (Ban, bool) {
	now := l.clock()
	user = strings.ToLower(user)
	lower := make([]string, len(hosts))
	for i, h := range hosts {
		lower[i] = strings.ToLower(h)
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, b := range l.bans {
		if b.Kind != KLine || !active(b, now) {
			continue
		}
		mu, mh, _ := strings.Cut(b.Mask, "@")
		if !wildcard.Match(mu, user) {
			continue
		}
		for _, host := range lower {
			if wildcard.Match(mh, host) {
				return b, true
			}
		}
	}
	return Ban{}, false
}

// List returns the bans of kind in force, sorted by mask.
func (l *List) List(kind string) []Ban {
	now := l.clock()
	l.mu.RLock()
	var out []Ban
	for _, b := range l.bans {
		if b.Kind == kind && active(b, now) {
			out = append(out, b)
		}
	}
	l.mu.RUnlock()
	slices.SortFunc(out, func(a, b Ban) int { return strings.Compare(a.Mask, b.Mask) })
	return out
}
