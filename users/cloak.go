package users

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"net/netip"
	"strings"
)

// cloakEncoding writes hash bytes as lower-case letters and digits, which
// are valid in a host name.
var cloakEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// cloakPartLen is the length of each hashed part of a cloak: 8 characters
// of base32 are 40 bits of the HMAC.
const cloakPartLen = 8

// Cloak returns the host others see in place of a client's address: keyed
// HMAC-SHA256 hashes, so that nobody without key can recover the address
// and the same address always gets the same cloak.
//
// An IP address becomes three hashes and the suffix, of the address, of its
// network, and of a wider network (IPv4: the /32, /24 and /16; IPv6: the
// /128, /64 and /48), as in "k3j5w2qa.ph2moxzt.bd4ctzwn.ip". A channel can
// therefore ban one address or a whole range by masking the left parts
// ("*.ph2moxzt.bd4ctzwn.ip"), without knowing either. A host name (given
// by a web gateway's WEBIRC) keeps its last two labels readable, as in
// "k3j5w2qa.example.net", or gets the suffix when it has fewer than three.
func Cloak(key []byte, ip netip.Addr, host, suffix string) string {
	if host != "" && !isIPHost(host) {
		labels := strings.Split(host, ".")
		tail := suffix
		if len(labels) >= 3 {
			tail = strings.Join(labels[len(labels)-2:], ".")
		}
		return cloakPart(key, "host:"+strings.ToLower(host)) + "." + tail
	}
	ip = ip.Unmap()
	bits := [3]int{32, 24, 16}
	if ip.Is6() {
		bits = [3]int{128, 64, 48}
	}
	parts := make([]string, 0, 4)
	for _, b := range bits {
		p, _ := ip.Prefix(b)
		parts = append(parts, cloakPart(key, p.String()))
	}
	return strings.Join(append(parts, suffix), ".")
}

// cloakPart hashes one input into one part of a cloak.
func cloakPart(key []byte, input string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return cloakEncoding.EncodeToString(mac.Sum(nil))[:cloakPartLen]
}

// isIPHost reports whether a host is an IP address written out (as the
// server shows addresses it did not resolve, 0::1 included).
func isIPHost(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}
