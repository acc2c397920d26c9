package conf

import (
	"reflect"
	"slices"
)

// Some settings take effect only when the server starts: the sockets it
// listens on, how it folds names, where its database is, the shape of its
// log. A reload does not refuse a file that changes them, nor apply them
// half-way: it applies everything else, keeps the running values of these,
// and names them so the operator knows a restart is due.

// fixedSetting is one setting fixed at start: its key, whether two configs
// agree on it, and how to give a config the running value.
type fixedSetting struct {
	key  string
	same func(running, next *Config) bool
	keep func(kept, running *Config)
}

// fixedSettings lists the settings fixed at start.
func fixedSettings() []fixedSetting {
	return []fixedSetting{
		{"listen/listeners", sameListeners, keepListeners},
		{"server.casemapping",
			func(a, b *Config) bool { return a.Server.Casemapping == b.Server.Casemapping },
			func(k, r *Config) { k.Server.Casemapping = r.Server.Casemapping }},
		{"database.path",
			func(a, b *Config) bool { return a.Database.Path == b.Database.Path },
			func(k, r *Config) { k.Database.Path = r.Database.Path }},
		{"log.format",
			func(a, b *Config) bool { return a.Log.Format == b.Log.Format },
			func(k, r *Config) { k.Log.Format = r.Log.Format }},
	}
}

// FixedAtStart names the settings that only a restart applies.
func FixedAtStart() []string {
	var keys []string
	for _, f := range fixedSettings() {
		keys = append(keys, f.key)
	}
	return keys
}

// KeepFixed returns next as a reload applies it: with the running values
// of the settings fixed at start, and the keys of those next would have
// changed. next itself is not modified.
func KeepFixed(running, next *Config) (*Config, []string) {
	kept := *next
	var changed []string
	for _, f := range fixedSettings() {
		if !f.same(running, next) {
			changed = append(changed, f.key)
			f.keep(&kept, running)
		}
	}
	return &kept, changed
}

// listenerShape is what of a listener is fixed once its socket is open:
// everything but its certificate, which a reload reads again.
type listenerShape struct {
	Address   string
	Secure    bool
	ACME      ACME
	WebSocket WebSocket
	Proxy     bool
}

// shapeOf takes the shape of a listener; an empty list and no list are
// the same shape.
func shapeOf(l Listener) listenerShape {
	s := listenerShape{l.Address, l.Secure(), l.TLS.ACME, l.WebSocket, l.Proxy}
	if len(s.ACME.Domains) == 0 {
		s.ACME.Domains = nil
	}
	if len(s.WebSocket.Origins) == 0 {
		s.WebSocket.Origins = nil
	}
	return s
}

// sameListeners reports whether two configs open the same listeners.
func sameListeners(a, b *Config) bool {
	la, lb := a.AllListeners(), b.AllListeners()
	return slices.EqualFunc(la, lb, func(x, y Listener) bool { return reflect.DeepEqual(shapeOf(x), shapeOf(y)) })
}

// keepListeners gives kept the running listeners, each with the
// certificate kept read for its address, so that renewed certificates are
// still taken while the set of listeners stays.
func keepListeners(kept, running *Config) {
	fresh := map[string]Listener{}
	for _, l := range kept.Listeners {
		fresh[l.Address] = l
	}
	kept.Listen = running.Listen
	kept.Listeners = slices.Clone(running.Listeners)
	for i, l := range kept.Listeners {
		if f, ok := fresh[l.Address]; ok && f.Secure() == l.Secure() && f.cert != nil {
			kept.Listeners[i].TLS.Cert, kept.Listeners[i].TLS.Key = f.TLS.Cert, f.TLS.Key
			kept.Listeners[i].cert = f.cert
		}
	}
}
