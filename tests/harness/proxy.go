package harness

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"
)

// ProxyV1 is the text PROXY header a load balancer sends for a client at
// ip (TCP4 or TCP6 after the address).
func ProxyV1(ip string) []byte {
	addr := netip.MustParseAddr(ip)
	if addr.Is4() {
		return fmt.Appendf(nil, "PROXY TCP4 %s 192.0.2.1 40000 531\r\n", addr)
	}
	return fmt.Appendf(nil, "PROXY TCP6 %s 2001:db8::1 40000 531\r\n", addr)
}

// ProxyV2 is the binary PROXY header for a client at ip; an empty ip makes
// a LOCAL header (the proxy's own health check).
func ProxyV2(ip string) []byte {
	h := []byte("\r\n\r\n\x00\r\nQUIT\n")
	if ip == "" {
		return append(h, 0x20, 0x00, 0, 0)
	}
	addr := netip.MustParseAddr(ip)
	var block []byte
	family := byte(0x11)
	if addr.Is4() {
		src, dst := addr.As4(), [4]byte{192, 0, 2, 1}
		block = append(src[:], dst[:]...)
	} else {
		family = 0x21
		src, dst := addr.As16(), netip.MustParseAddr("2001:db8::1").As16()
		block = append(src[:], dst[:]...)
	}
	block = append(block, 0x9c, 0x40, 0x02, 0x13) // ports 40000 and 531
	h = append(h, 0x21, family)
	h = binary.BigEndian.AppendUint16(h, uint16(len(block)))
	return append(h, block...)
}

// DialProxied connects to addr as a load balancer would, sending header
// first.
func DialProxied(t testing.TB, addr string, header []byte) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, Timeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetWriteDeadline(time.Now().Add(Timeout))
	if _, err := nc.Write(header); err != nil {
		t.Fatalf("write PROXY header: %v", err)
	}
	return nc
}

// ConnectProxied is a client behind a load balancer on a plain listener.
func ConnectProxied(t testing.TB, addr string, header []byte) *Client {
	t.Helper()
	return Wrap(t, DialProxied(t, addr, header))
}

// ConnectProxiedTLS is a client behind a TCP load balancer on a TLS
// listener: the header, then the client's own TLS handshake.
func ConnectProxiedTLS(t testing.TB, addr string, header []byte) *Client {
	t.Helper()
	tc := tls.Client(DialProxied(t, addr, header), &tls.Config{InsecureSkipVerify: true})
	tc.SetDeadline(time.Now().Add(Timeout))
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake behind the proxy: %v", err)
	}
	tc.SetDeadline(time.Time{})
	return Wrap(t, tc)
}

// Wrap makes a test client of a connection opened by hand.
func Wrap(t testing.TB, nc net.Conn) *Client {
	return &Client{t: t, Conn: nc, r: bufio.NewReaderSize(nc, 16384)}
}
