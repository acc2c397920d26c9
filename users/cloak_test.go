package users

import (
	"net/netip"
	"strings"
	"testing"
)

func TestCloakStable(t *testing.T) {
	key := []byte("a secret of the network")
	// Golden values: a cloak must not change between versions, or bans on
	// cloaks stop matching after an upgrade.
	cases := []struct{ ip, host, want string }{
		{"198.51.100.7", "", "k3pc6k4x.f2arjbfp.2fdkzq4q.ip"},
		{"2001:db8:1:2::7", "", "lnobemzx.mv6yty2x.5huzloke.ip"},
		{"198.51.100.7", "cpe-7.home.example.net", "qobeoonc.example.net"},
	}
	for _, tc := range cases {
		got := Cloak(key, netip.MustParseAddr(tc.ip), tc.host, "ip")
		if got != tc.want {
			t.Errorf("Cloak(%s, %q) = %q, want %q", tc.ip, tc.host, got, tc.want)
		}
	}
}

func TestCloakShape(t *testing.T) {
	key := []byte("k")
	v4 := func(s string) string { return Cloak(key, netip.MustParseAddr(s), s, "ip") }
	a, b, c := v4("198.51.100.7"), v4("198.51.100.8"), v4("198.51.200.7")
	pa, pb, pc := strings.Split(a, "."), strings.Split(b, "."), strings.Split(c, ".")
	if len(pa) != 4 || pa[3] != "ip" {
		t.Fatalf("cloak %q: want three hashes and the suffix", a)
	}
	if pa[0] == pb[0] || pa[1] != pb[1] || pa[2] != pb[2] {
		t.Errorf("same /24: %q and %q should differ only in the first part", a, b)
	}
	if pa[1] == pc[1] || pa[2] != pc[2] {
		t.Errorf("same /16: %q and %q should share only the third part", a, c)
	}
	if mapped := Cloak(key, netip.MustParseAddr("::ffff:198.51.100.7"), "", "ip"); mapped != a {
		t.Errorf("a v4-mapped address cloaks as %q, its IPv4 form as %q", mapped, a)
	}
	if other := Cloak([]byte("other"), netip.MustParseAddr("198.51.100.7"), "", "ip"); other == a {
		t.Errorf("two keys give the same cloak %q", a)
	}
	v6 := func(s string) []string {
		return strings.Split(Cloak(key, netip.MustParseAddr(s), "", "example"), ".")
	}
	x, y := v6("2001:db8:1:2::7"), v6("2001:db8:1:2::8")
	if x[0] == y[0] || x[1] != y[1] || x[2] != y[2] || x[3] != "example" {
		t.Errorf("same /64: %v and %v", x, y)
	}
	if h := Cloak(key, netip.MustParseAddr("198.51.100.7"), "example.net", "ip"); !strings.HasSuffix(h, ".ip") || strings.Contains(h, "example") {
		t.Errorf("a two-label host name cloaks as %q: want the suffix", h)
	}
	for _, h := range []string{a, x[0]} {
		for _, r := range h {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.') {
				t.Fatalf("cloak %q holds %q", h, r)
			}
		}
	}
}
