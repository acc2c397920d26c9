package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// ErrNotLoopback is returned by ResolveTarget for an address outside
// 127.0.0.0/8 and ::1 when remote targets are not allowed.
var ErrNotLoopback = errors.New("target is not a loopback address")

// ResolveTarget resolves addr ("host:port") once and returns the "ip:port"
// to dial. Unless allowRemote is set, every address the host resolves to
// must be loopback: a load generator pointed at someone else's server by a
// typo is an attack. Dialing the resolved IP, not the name, keeps a later
// DNS answer from moving the target. IPv4 is preferred when the host has both.
func ResolveTarget(ctx context.Context, addr string, allowRemote bool) (string, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("parse -addr %q: %w", addr, err)
	}
	if host == "" {
		return "", fmt.Errorf("parse -addr %q: missing host", addr)
	}
	port, err := net.DefaultResolver.LookupPort(ctx, "tcp", portStr)
	if err != nil || port < 1 || port > 65535 {
		return "", fmt.Errorf("parse -addr %q: bad port %q", addr, portStr)
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", host, err)
	}
	if len(ips) == 0 {
		return "", fmt.Errorf("resolve %q: no addresses", host)
	}
	var chosen netip.Addr
	for _, ip := range ips {
		ip = ip.Unmap()
		if !allowRemote && !ip.IsLoopback() {
			return "", fmt.Errorf("refusing %s (resolves to %s): %w; pass -allow-remote only for a server you operate",
				addr, ip, ErrNotLoopback)
		}
		if !chosen.IsValid() || (ip.Is4() && !chosen.Is4()) {
			chosen = ip
		}
	}
	return net.JoinHostPort(chosen.String(), strconv.Itoa(port)), nil
}
