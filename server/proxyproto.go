package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
)

// The PROXY protocol (versions 1 and 2, as HAProxy specifies them) lets a
// load balancer in front of the server say where a connection really comes
// from. A listener marked for it expects the header first, before any IRC
// line, and only from a trusted address (see proxyaccept.go).

// proxyV2Sig starts every version 2 header.
var proxyV2Sig = []byte("\r\n\r\n\x00\r\nQUIT\n")

// proxyV1Prefix starts every version 1 header.
const proxyV1Prefix = "PROXY "

// proxyV1Max is the longest version 1 header, CRLF included (the spec's
// 107 bytes).
const proxyV1Max = 107

// proxyMinHeader is the shortest header of either version ("PROXY
// UNKNOWN\r\n"): reading that much never consumes a client's first line.
const proxyMinHeader = 15

// errProxyHeader reports a malformed PROXY header.
var errProxyHeader = errors.New("malformed PROXY header")

// readProxyHeader reads one PROXY header, v1 or v2, from r and returns the
// client's address. It reads exactly the header and nothing after it, so
// the client's own bytes stay in the socket. An invalid address means the
// proxy sent no client address (v1 UNKNOWN, v2 LOCAL or a family without
// one, such as a health check): the caller keeps the socket's own peer.
func readProxyHeader(r io.Reader) (netip.Addr, error) {
	var buf [proxyV1Max]byte
	if _, err := io.ReadFull(r, buf[:proxyMinHeader]); err != nil {
		return netip.Addr{}, fmt.Errorf("read PROXY header: %w", err)
	}
	switch {
	case bytes.HasPrefix(buf[:], proxyV2Sig):
		return readProxyV2(r, buf[:proxyMinHeader])
	case bytes.HasPrefix(buf[:], []byte(proxyV1Prefix)):
		return readProxyV1(r, buf[:], proxyMinHeader)
	}
	return netip.Addr{}, fmt.Errorf("%w: no PROXY signature", errProxyHeader)
}

// readProxyV1 finishes a text header whose first n bytes are in buf,
// reading one byte at a time so as never to read past its CRLF.
func readProxyV1(r io.Reader, buf []byte, n int) (netip.Addr, error) {
	for buf[n-1] != '\n' {
		if n == len(buf) {
			return netip.Addr{}, fmt.Errorf("%w: v1 header longer than %d bytes", errProxyHeader, proxyV1Max)
		}
		if _, err := io.ReadFull(r, buf[n:n+1]); err != nil {
			return netip.Addr{}, fmt.Errorf("read PROXY header: %w", err)
		}
		n++
	}
	return parseProxyV1(buf[:n])
}

// parseProxyV1 parses a complete text header, CRLF included:
// "PROXY TCP4 <src> <dst> <sport> <dport>\r\n", the same with TCP6, or
// "PROXY UNKNOWN[ ...]\r\n".
func parseProxyV1(line []byte) (netip.Addr, error) {
	body, ok := bytes.CutSuffix(line, []byte("\r\n"))
	if !ok {
		return netip.Addr{}, fmt.Errorf("%w: v1 header does not end in CRLF", errProxyHeader)
	}
	fields := bytes.Split(body, []byte(" "))
	if string(fields[1]) == "UNKNOWN" {
		return netip.Addr{}, nil
	}
	if len(fields) != 6 {
		return netip.Addr{}, fmt.Errorf("%w: v1 header needs 6 fields, got %d", errProxyHeader, len(fields))
	}
	src, err := netip.ParseAddr(string(fields[2]))
	if err != nil || src.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%w: bad source address %q", errProxyHeader, fields[2])
	}
	dst, err := netip.ParseAddr(string(fields[3]))
	if err != nil || dst.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%w: bad destination address %q", errProxyHeader, fields[3])
	}
	switch string(fields[1]) {
	case "TCP4":
		if !src.Is4() || !dst.Is4() {
			return netip.Addr{}, fmt.Errorf("%w: TCP4 with a non-IPv4 address", errProxyHeader)
		}
	case "TCP6":
		if !src.Is6() || !dst.Is6() {
			return netip.Addr{}, fmt.Errorf("%w: TCP6 with a non-IPv6 address", errProxyHeader)
		}
	default:
		return netip.Addr{}, fmt.Errorf("%w: unknown protocol %q", errProxyHeader, fields[1])
	}
	for _, p := range fields[4:] {
		if !validPort(p) {
			return netip.Addr{}, fmt.Errorf("%w: bad port %q", errProxyHeader, p)
		}
	}
	return src.Unmap(), nil
}

// validPort reports whether p is a decimal port, 0 to 65535, without a
// leading zero (as the spec writes them).
func validPort(p []byte) bool {
	if len(p) == 0 || len(p) > 5 || (len(p) > 1 && p[0] == '0') {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(string(p))
	return err == nil && n <= 65535
}

// The version 2 command, address family and transport values this server
// understands.
const (
	proxyV2Local  = 0x20 // version 2, LOCAL: the proxy's own connection
	proxyV2Proxy  = 0x21 // version 2, PROXY: a relayed connection
	proxyV2TCP4   = 0x11
	proxyV2TCP6   = 0x21
	proxyV2Unspec = 0x00
	proxyV2Unix   = 0x31
)

// readProxyV2 finishes a binary header whose first bytes (signature,
// version and command, part of the family) are in head.
func readProxyV2(r io.Reader, head []byte) (netip.Addr, error) {
	var fixed [16]byte
	copy(fixed[:], head)
	if _, err := io.ReadFull(r, fixed[len(head):]); err != nil {
		return netip.Addr{}, fmt.Errorf("read PROXY header: %w", err)
	}
	size := int(binary.BigEndian.Uint16(fixed[14:16]))
	rest := make([]byte, size)
	if _, err := io.ReadFull(r, rest); err != nil {
		return netip.Addr{}, fmt.Errorf("read PROXY header: %w", err)
	}
	return parseProxyV2(fixed[12], fixed[13], rest)
}

// parseProxyV2 interprets a binary header's command, family and address
// block (TLVs after the addresses are ignored).
func parseProxyV2(verCmd, family byte, addrs []byte) (netip.Addr, error) {
	switch verCmd {
	case proxyV2Local:
		return netip.Addr{}, nil
	case proxyV2Proxy:
	default:
		return netip.Addr{}, fmt.Errorf("%w: v2 version/command byte %#x", errProxyHeader, verCmd)
	}
	switch family {
	case proxyV2TCP4:
		if len(addrs) < 12 {
			return netip.Addr{}, fmt.Errorf("%w: v2 TCP4 address block of %d bytes", errProxyHeader, len(addrs))
		}
		return netip.AddrFrom4([4]byte(addrs[0:4])), nil
	case proxyV2TCP6:
		if len(addrs) < 36 {
			return netip.Addr{}, fmt.Errorf("%w: v2 TCP6 address block of %d bytes", errProxyHeader, len(addrs))
		}
		return netip.AddrFrom16([16]byte(addrs[0:16])).Unmap(), nil
	case proxyV2Unspec, proxyV2Unix:
		// No IP address to take: keep the socket's own.
		return netip.Addr{}, nil
	}
	return netip.Addr{}, fmt.Errorf("%w: v2 family/transport %#x is not TCP", errProxyHeader, family)
}
