package commands

import "github.com/conference-irc/conference/users"

// whoisTransport tells how the target is connected: 671 to anyone when it
// uses TLS, and its certificate fingerprint (276) to itself and to opers,
// since a fingerprint identifies its owner across networks.
func whoisTransport(r *Request, t *users.Client, nick string) {
	if t.Secure() {
		r.Numeric(RPL_WHOISSECURE, nick, "is using a secure connection")
	}
	if fp := t.CertFP(); fp != "" && (t == r.Client || isOper(r.Client)) {
		r.Numeric(RPL_WHOISCERTFP, nick, "has client certificate fingerprint "+fp)
	}
}
