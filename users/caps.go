package users

import "strings"

// Cap is one IRCv3 capability, as a bit in a CapSet.
type Cap uint8

// The capabilities the server knows. Their order is their bit; names are in
// capNames.
const (
	CapMessageTags Cap = iota
	CapServerTime
	CapAccountTag
	CapEchoMessage
	CapBatch
	CapLabeledResponse
	CapMultiPrefix
	CapUserhostInNames
	CapExtendedJoin
	CapAwayNotify
	CapAccountNotify
	CapChghost
	CapSetname
	CapInviteNotify
	CapCapNotify
	CapNoImplicitNames
	CapExtendedMonitor
	CapSASL
	CapAccountRegistration
	CapChathistory
	CapEventPlayback
	CapReadMarker
	CapMessageRedaction
	CapMultiline
	CapChannelRename
	capCount
)

var capNames = [capCount]string{
	CapMessageTags:     "message-tags",
	CapServerTime:      "server-time",
	CapAccountTag:      "account-tag",
	CapEchoMessage:     "echo-message",
	CapBatch:           "batch",
	CapLabeledResponse: "labeled-response",
	CapMultiPrefix:     "multi-prefix",
	CapUserhostInNames: "userhost-in-names",
	CapExtendedJoin:    "extended-join",
	CapAwayNotify:      "away-notify",
	CapAccountNotify:   "account-notify",
	CapChghost:         "chghost",
	CapSetname:         "setname",
	CapInviteNotify:    "invite-notify",
	CapCapNotify:       "cap-notify",
	CapNoImplicitNames: "draft/no-implicit-names",
	CapExtendedMonitor: "extended-monitor",

	// Offered only when accounts are enabled.
	CapSASL:                "sasl",
	CapAccountRegistration: "draft/account-registration",

	// Offered when history is enabled.
	CapChathistory:      "draft/chathistory",
	CapEventPlayback:    "draft/event-playback",
	CapReadMarker:       "draft/read-marker",
	CapMessageRedaction: "draft/message-redaction",
	CapMultiline:        "draft/multiline",
	CapChannelRename:    "draft/channel-rename",
}

// Name is the capability's name on the wire.
func (c Cap) Name() string { return capNames[c] }

// AllCaps lists every known capability in a stable order.
func AllCaps() []Cap {
	out := make([]Cap, capCount)
	for i := range out {
		out[i] = Cap(i)
	}
	return out
}

// LookupCap finds a capability by its wire name.
func LookupCap(name string) (Cap, bool) {
	for i, n := range capNames {
		if n == name {
			return Cap(i), true
		}
	}
	return 0, false
}

// CapSet is a set of capabilities.
type CapSet uint64

// Has reports whether c is in the set.
func (s CapSet) Has(c Cap) bool { return s&(1<<c) != 0 }

// With returns the set with c added.
func (s CapSet) With(c Cap) CapSet { return s | 1<<c }

// Without returns the set with c removed.
func (s CapSet) Without(c Cap) CapSet { return s &^ (1 << c) }

// String lists the set's names separated by spaces.
func (s CapSet) String() string {
	var names []string
	for i := Cap(0); i < capCount; i++ {
		if s.Has(i) {
			names = append(names, i.Name())
		}
	}
	return strings.Join(names, " ")
}
