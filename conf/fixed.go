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
		fixedField("server.casemapping", func(c *Config) *string { return &c.Server.Casemapping }),
		fixedField("database.path", func(c *Config) *string { return &c.Database.Path }),
		fixedField("log.format", func(c *Config) *string { return &c.Log.Format }),
		// History is opened once: whether it exists, where it is kept and
		// how it is bounded (the capabilities offered follow enabled, so
		// they must not change without the store).
		fixedField("history.enabled", func(c *Config) *bool { return &c.History.Enabled }),
		fixedField("history.persistent", func(c *Config) *bool { return &c.History.Persistent }),
		fixedField("history.memory", func(c *Config) *int { return &c.History.Memory }),
		fixedField("history.queue", func(c *Config) *int { return &c.History.Queue }),
		fixedField("history.retention", func(c *Config) *Retention { return &c.History.Retention }),
	}
}

// fixedField is a setting fixed at start that is one comparable field,
// which field points at in a config.
func fixedField[T comparable](key string, field func(*Config) *T) fixedSetting {
	return fixedSetting{key,
		func(running, next *Config) bool { return *field(running) == *field(next) },
		func(kept, running *Config) { *field(kept) = *field(running) }}
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
