package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"testing"
)

// proxyV2 builds a version 2 header.
func proxyV2(verCmd, family byte, addrs []byte) []byte {
	h := append([]byte(nil), proxyV2Sig...)
	h = append(h, verCmd, family)
	h = binary.BigEndian.AppendUint16(h, uint16(len(addrs)))
	return append(h, addrs...)
}

func v2TCP4(src, dst string, tlv []byte) []byte {
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	b := append(s[:], d[:]...)
	b = append(b, 0x1f, 0x90, 0x02, 0x13) // ports 8080, 531
	return append(b, tlv...)
}

func v2TCP6(src, dst string) []byte {
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	b := append(s[:], d[:]...)
	return append(b, 0x1f, 0x90, 0x02, 0x13)
}

func TestReadProxyHeader(t *testing.T) {
	const next = "NICK alice\r\n"
	cases := []struct {
		name   string
		header []byte
		want   string // "" means no address (keep the socket's own)
		bad    bool
	}{
		{name: "v1 tcp4", header: []byte("PROXY TCP4 198.51.100.7 192.0.2.1 56324 531\r\n"), want: "198.51.100.7"},
		{name: "v1 tcp6", header: []byte("PROXY TCP6 2001:db8::7 2001:db8::1 56324 531\r\n"), want: "2001:db8::7"},
		{name: "v1 tcp6 mapped v4", header: []byte("PROXY TCP6 ::ffff:198.51.100.7 ::ffff:192.0.2.1 1 2\r\n"), want: "198.51.100.7"},
		{name: "v1 unknown", header: []byte("PROXY UNKNOWN\r\n")},
		{name: "v1 unknown with addresses", header: []byte("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")},
		{name: "v1 longest", header: []byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"), want: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{name: "v1 tcp4 with v6 address", header: []byte("PROXY TCP4 2001:db8::7 192.0.2.1 1 2\r\n"), bad: true},
		{name: "v1 tcp6 with v4 address", header: []byte("PROXY TCP6 198.51.100.7 2001:db8::1 1 2\r\n"), bad: true},
		{name: "v1 udp", header: []byte("PROXY UDP4 198.51.100.7 192.0.2.1 1 2\r\n"), bad: true},
		{name: "v1 missing port", header: []byte("PROXY TCP4 198.51.100.7 192.0.2.1 56324\r\n"), bad: true},
		{name: "v1 port too big", header: []byte("PROXY TCP4 198.51.100.7 192.0.2.1 65536 531\r\n"), bad: true},
		{name: "v1 port leading zero", header: []byte("PROXY TCP4 198.51.100.7 192.0.2.1 0531 531\r\n"), bad: true},
		{name: "v1 bare LF", header: []byte("PROXY TCP4 198.51.100.7 192.0.2.1 1 531\n"), bad: true},
		{name: "v1 zone", header: []byte("PROXY TCP6 fe80::1%eth0 2001:db8::1 1 2\r\n"), bad: true},
		{name: "v1 double space", header: []byte("PROXY TCP4  198.51.100.7 192.0.2.1 1 2\r\n"), bad: true},
		{name: "v1 too long", header: append(append([]byte("PROXY UNKNOWN "), bytes.Repeat([]byte("x"), 100)...), "\r\n"...), bad: true},
		{name: "v2 tcp4", header: proxyV2(0x21, 0x11, v2TCP4("198.51.100.7", "192.0.2.1", nil)), want: "198.51.100.7"},
		{name: "v2 tcp4 with TLVs", header: proxyV2(0x21, 0x11, v2TCP4("198.51.100.7", "192.0.2.1", []byte{0x01, 0x00, 0x02, 'h', '2'})), want: "198.51.100.7"},
		{name: "v2 tcp6", header: proxyV2(0x21, 0x21, v2TCP6("2001:db8::7", "2001:db8::1")), want: "2001:db8::7"},
		{name: "v2 local", header: proxyV2(0x20, 0x00, nil)},
		{name: "v2 local with addresses", header: proxyV2(0x20, 0x11, v2TCP4("198.51.100.7", "192.0.2.1", nil))},
		{name: "v2 unspec", header: proxyV2(0x21, 0x00, nil)},
		{name: "v2 udp4", header: proxyV2(0x21, 0x12, v2TCP4("198.51.100.7", "192.0.2.1", nil)), bad: true},
		{name: "v2 short tcp4 block", header: proxyV2(0x21, 0x11, []byte{1, 2, 3, 4}), bad: true},
		{name: "v2 short tcp6 block", header: proxyV2(0x21, 0x21, v2TCP4("198.51.100.7", "192.0.2.1", nil)), bad: true},
		{name: "v2 version 1", header: proxyV2(0x11, 0x11, v2TCP4("198.51.100.7", "192.0.2.1", nil)), bad: true},
		{name: "v2 unknown command", header: proxyV2(0x22, 0x11, v2TCP4("198.51.100.7", "192.0.2.1", nil)), bad: true},
		{name: "no header", header: []byte("NICK bob\r\nUSER b 0 * :b\r\n"), bad: true},
		{name: "lower case", header: []byte("proxy TCP4 198.51.100.7 192.0.2.1 1 2\r\n"), bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := bytes.NewReader(append(append([]byte(nil), tc.header...), next...))
			got, err := readProxyHeader(r)
			if tc.bad {
				if err == nil {
					t.Fatalf("accepted %q as %v", tc.header, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if (tc.want == "" && got.IsValid()) || (tc.want != "" && got != netip.MustParseAddr(tc.want)) {
				t.Fatalf("address %v, want %q", got, tc.want)
			}
			rest, _ := io.ReadAll(r)
			if string(rest) != next {
				t.Fatalf("read past the header: left %q", rest)
			}
		})
	}
}

func TestReadProxyHeaderTruncated(t *testing.T) {
	for _, full := range [][]byte{
		[]byte("PROXY TCP4 198.51.100.7 192.0.2.1 56324 531\r\n"),
		proxyV2(0x21, 0x11, v2TCP4("198.51.100.7", "192.0.2.1", nil)),
	} {
		for n := range len(full) {
			_, err := readProxyHeader(bytes.NewReader(full[:n]))
			if err == nil {
				t.Fatalf("accepted the first %d bytes of %q", n, full)
			}
			if n > 0 && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) && !errors.Is(err, errProxyHeader) {
				t.Fatalf("first %d bytes: unexpected error %v", n, err)
			}
		}
	}
}

// FuzzReadProxyHeader checks that no input panics, that an accepted header
// never consumes more than it should, and that an address, when given, is
// one a client may have.
func FuzzReadProxyHeader(f *testing.F) {
	f.Add([]byte("PROXY TCP4 198.51.100.7 192.0.2.1 56324 531\r\nNICK a\r\n"))
	f.Add([]byte("PROXY TCP6 2001:db8::7 2001:db8::1 56324 531\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add(proxyV2(0x21, 0x11, v2TCP4("198.51.100.7", "192.0.2.1", nil)))
	f.Add(proxyV2(0x21, 0x21, v2TCP6("2001:db8::7", "2001:db8::1")))
	f.Add(proxyV2(0x20, 0x00, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		ip, err := readProxyHeader(r)
		if err != nil {
			return
		}
		used := len(data) - r.Len()
		if bytes.HasPrefix(data, proxyV2Sig) {
			if want := 16 + int(binary.BigEndian.Uint16(data[14:16])); used != want {
				t.Fatalf("v2 header of %d bytes consumed %d", want, used)
			}
		} else if i := bytes.IndexByte(data, '\n'); used != i+1 || used > proxyV1Max {
			t.Fatalf("v1 header consumed %d bytes, line ends at %d", used, i)
		}
		if ip.IsValid() && (ip.Is4In6() || ip.Zone() != "") {
			t.Fatalf("address %v is not unmapped and zoneless", ip)
		}
	})
}
