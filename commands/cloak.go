package commands

import (
	"net/netip"
	"slices"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// Hostname cloaking (README "Cloaks"): at registration a client's shown
// host becomes a keyed hash of its address (users.Cloak) and it gets user
// mode +x; -x shows the real host, +x the cloak again. The real host stays
// in the client for itself and operators (WHOIS 378), and bans match the
// cloak, the real host and the IP alike.

// RPL_HOSTHIDDEN tells a client the host others now see.
const RPL_HOSTHIDDEN = "396"

// cloakKeySize is the size of the key generated at start when
// cloaks.secret is empty.
const cloakKeySize = 32

// cloakKey is the key cloaks are made with under cfg.
func (d *Dispatcher) cloakKey(cfg *conf.Config) []byte {
	if cfg.Cloaks.Secret != "" {
		return []byte(cfg.Cloaks.Secret)
	}
	return d.cloakSecret
}

// cloakable reports whether an address is cloaked: loopback and unknown
// addresses reveal nothing, so they are shown as they are.
func cloakable(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsUnspecified() && !ip.IsLoopback()
}

// applyCloak gives a client that is registering its cloak, when cloaks are
// on and its address is worth hiding.
func (d *Dispatcher) applyCloak(r *Request) {
	if cloak := d.cloakFor(r.Config, r.Client); cloak != "" {
		r.Client.SetCloak(cloak)
	}
}

// cloakFor is the cloak c gets at registration under cfg ("" when it
// gets none).
func (d *Dispatcher) cloakFor(cfg *conf.Config, c *users.Client) string {
	ip := c.IP()
	if !cfg.Cloaks.Enabled || !cloakable(ip) {
		return ""
	}
	return users.Cloak(d.cloakKey(cfg), ip, c.RealHost(), cfg.Cloaks.Suffix)
}

// showCloak switches a registered client between its cloak (on) and its
// real host, after MODE +x or -x changed the mode; peers with chghost are
// told, and the client gets 396.
func (d *Dispatcher) showCloak(r *Request, on bool) {
	host := r.Client.RealHost()
	if on {
		host = r.Client.CloakHost()
	}
	d.ChangeHost(r.Client, host)
	r.Numeric(RPL_HOSTHIDDEN, host, "is now your displayed host")
}

// hostForms are the distinct hosts a client is known by: the shown one,
// the real one, the cloak and the IP address. Bans and operator host masks
// match any of them.
func hostForms(c *users.Client) []string {
	forms := []string{c.Identity().Host, c.RealHost()}
	if cloak := c.CloakHost(); cloak != "" {
		forms = append(forms, cloak)
	}
	if ip := c.IP(); ip.IsValid() {
		forms = append(forms, ip.String(), ipParam(c))
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}
