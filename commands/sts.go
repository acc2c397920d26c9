package commands

import (
	"strconv"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// stsValue is the value of the IRCv3 sts capability for this client, or ""
// when none is offered. A plain-text client is told the TLS port to move
// to; a TLS client is told how long to keep to TLS (and whether the policy
// may be preloaded). WebSocket clients get none: a browser cannot switch
// to a raw TLS port, and HTTPS has its own policy. The capability is
// informational only: it is never in the requestable set.
func stsValue(cfg *conf.Config, c *users.Client) string {
	if !cfg.STS.Enabled || c.WebSocket() {
		return ""
	}
	if !c.Secure() {
		port := cfg.STSPort()
		if port == 0 {
			return ""
		}
		return "port=" + strconv.Itoa(port)
	}
	v := "duration=" + strconv.FormatInt(int64(cfg.STS.Duration.Seconds()), 10)
	if cfg.STS.Preload {
		v += ",preload"
	}
	return v
}
