package users

// Transport is what the connection tells about how the client reached the
// server beyond plain TCP. It never changes once the client is registered
// (before, a web gateway's WEBIRC replaces it: see Client.Readdress).
type Transport struct {
	// Secure means TLS (directly, or under a WebSocket).
	Secure bool
	// WebSocket means IRC over WebSocket.
	WebSocket bool
	// CertFP is the SHA-256 fingerprint (lowercase hex) of the client's TLS
	// certificate, or "" when it showed none. Certificates are requested,
	// not verified: the fingerprint is what identifies the client (OPER,
	// and SASL EXTERNAL).
	CertFP string
}

// SetTransport records how the client connected. The server calls it
// before the client becomes visible to anyone else, which is what makes it
// safe to read without a lock afterwards.
func (c *Client) SetTransport(t Transport) {
	if t != (Transport{}) {
		c.link = &t
	}
}

// Secure reports whether the client connected with TLS.
func (c *Client) Secure() bool { return c.link != nil && c.link.Secure }

// WebSocket reports whether the client connected over WebSocket.
func (c *Client) WebSocket() bool { return c.link != nil && c.link.WebSocket }

// CertFP is the SHA-256 fingerprint of the client's TLS certificate, or ""
// when it presented none.
func (c *Client) CertFP() string {
	if c.link == nil {
		return ""
	}
	return c.link.CertFP
}
