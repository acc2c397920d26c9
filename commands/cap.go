package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/users"
)

// supportedCaps are the capabilities the server implements, in CAP LS order.
var supportedCaps = []users.Cap{
	users.CapAccountNotify, users.CapAccountTag, users.CapAwayNotify, users.CapBatch,
	users.CapCapNotify, users.CapChghost, users.CapEchoMessage, users.CapExtendedJoin,
	users.CapExtendedMonitor, users.CapInviteNotify, users.CapLabeledResponse,
	users.CapMessageTags, users.CapMultiPrefix, users.CapNoImplicitNames,
	users.CapServerTime, users.CapSetname, users.CapUserhostInNames,
	users.CapSASL, users.CapAccountRegistration,
	users.CapChathistory, users.CapEventPlayback, users.CapReadMarker, users.CapMessageRedaction,
	users.CapMultiline, users.CapChannelRename,
}

// CheckCapabilities verifies that every capability the configuration
// disables is one the server knows, naming the key when not.
func CheckCapabilities(cfg *conf.Config) error {
	for i, name := range cfg.Capabilities.Disabled {
		if c, ok := users.LookupCap(name); !ok || !isSupported(c) {
			return fmt.Errorf("capabilities.disabled[%d]: unknown capability %q", i, name)
		}
	}
	return nil
}

// packCaps joins capability names with spaces into as few lines of at
// most budget bytes as they fit in (one line at least, maybe empty).
func packCaps(names []string, budget int) []string {
	var lines []string
	var cur strings.Builder
	for _, name := range names {
		if cur.Len() > 0 && cur.Len()+len(name)+1 > budget {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(name)
	}
	return append(lines, cur.String())
}

func isSupported(c users.Cap) bool {
	for _, s := range supportedCaps {
		if s == c {
			return true
		}
	}
	return false
}

// offeredCaps are the supported capabilities that cfg does not disable.
func offeredCaps(cfg *conf.Config) users.CapSet {
	var set users.CapSet
	for _, c := range supportedCaps {
		set = set.With(c)
	}
	for _, name := range cfg.Capabilities.Disabled {
		if c, ok := users.LookupCap(name); ok {
			set = set.Without(c)
		}
	}
	if !cfg.History.Enabled {
		set = set.Without(users.CapChathistory).Without(users.CapEventPlayback).Without(users.CapReadMarker).
			Without(users.CapMessageRedaction)
	}
	return withoutUnusableAccountCaps(set, cfg)
}

// announceCapChanges tells cap-notify clients what a new configuration
// added or removed, and drops removed capabilities from every client.
func (d *Dispatcher) announceCapChanges(old, next *conf.Config) {
	before, after := d.offeredCaps(old), d.offeredCaps(next)
	removed, added := before&^after, after&^before
	if removed == 0 && added == 0 {
		return
	}
	for _, c := range d.users.All() {
		c.SetCaps(c.Caps() &^ removed)
		if !c.HasCap(users.CapCapNotify) {
			continue
		}
		if removed != 0 {
			c.Send(appendLine(nil, "", next.Server.Name, "CAP", []string{c.Nick(), "DEL", removed.String()}))
		}
		if added != 0 {
			c.Send(appendLine(nil, "", next.Server.Name, "CAP", []string{c.Nick(), "NEW", added.String()}))
		}
	}
}

// capLSLineBudget keeps each CAP LS line well under 512 bytes.
const capLSLineBudget = 400

func handleCAP(r *Request) {
	sub := strings.ToUpper(r.Params[0])
	switch sub {
	case "LS":
		capLS(r)
	case "LIST":
		r.Reply("CAP", r.capNick(), "LIST", r.Client.Caps().String())
	case "REQ":
		capREQ(r)
	case "END":
		if !r.Client.Registered() {
			r.Client.UpdateRegistration(func(reg *users.Registration) { reg.CapNegotiating = false })
			r.d.abortSASL(r)
			r.d.tryRegister(r)
		}
	default:
		r.Numeric(ERR_INVALIDCAPCMD, r.Params[0], "Invalid CAP command")
	}
}

// capNick is the nick CAP replies address: "*" before one is set.
func (r *Request) capNick() string { return r.Client.Nick() }

func capLS(r *Request) {
	version := 0
	if len(r.Params) > 1 {
		version, _ = strconv.Atoi(r.Params[1])
	}
	if !r.Client.Registered() {
		r.Client.UpdateRegistration(func(reg *users.Registration) {
			reg.CapNegotiating = true
			reg.CapVersion = max(reg.CapVersion, version)
		})
	}
	if version >= 302 {
		// CAP LS 302 implies cap-notify.
		r.Client.SetCaps(r.Client.Caps().With(users.CapCapNotify))
	}
	var names []string
	offered := r.d.offeredCaps(r.Config)
	for _, c := range supportedCaps {
		if offered.Has(c) {
			names = append(names, capToken(r.Config, c, version))
		}
	}
	if sts := stsValue(r.Config, r.Client); sts != "" && version >= 302 {
		names = append(names, "sts="+sts)
	}
	lines := packCaps(names, capLSLineBudget)
	for i, l := range lines {
		if i < len(lines)-1 && version >= 302 {
			r.Reply("CAP", r.capNick(), "LS", "*", l)
		} else {
			r.Reply("CAP", r.capNick(), "LS", l)
		}
	}
}

// capREQ applies a whole request or none of it.
func capREQ(r *Request) {
	if !r.Client.Registered() {
		r.Client.UpdateRegistration(func(reg *users.Registration) { reg.CapNegotiating = true })
	}
	requested := r.Param(1)
	set := r.Client.Caps()
	offered := r.d.offeredCaps(r.Config)
	for _, name := range strings.Fields(requested) {
		remove := strings.HasPrefix(name, "-")
		c, ok := users.LookupCap(strings.TrimPrefix(name, "-"))
		if !ok || !offered.Has(c) {
			r.Reply("CAP", r.capNick(), "NAK", requested)
			return
		}
		if remove {
			set = set.Without(c)
		} else {
			set = set.With(c)
		}
	}
	r.Client.SetCaps(set)
	r.Reply("CAP", r.capNick(), "ACK", requested)
}
