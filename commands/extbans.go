package commands

import (
	"strings"

	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/users"
)

// Extended bans (ISUPPORT EXTBAN=$,am), usable in +b, +e and +I:
//
//	$a:<account glob>   matches users logged in to a matching account
//	                    ("$a" alone: anyone logged in)
//	$m:<mask>           a mute: in +b, a user matching <mask> (a hostmask
//	                    or a $a: extban) may join but not speak
//
// They work by giving each client more forms to match: "$a:<account>"
// when logged in, and, when checking whether it may speak, "$m:" in front
// of each form. A mute entry can never match a plain form, so it never
// keeps anyone out of a channel.
const extbanISupport = "EXTBAN=$,am"

// normalizeListMask completes a +b/+e/+I mask: hostmasks as before,
// extbans checked and completed. ok is false for an unknown extban.
func normalizeListMask(mask string) (string, bool) {
	if !strings.HasPrefix(mask, "$") {
		return channels.NormalizeMask(mask), true
	}
	kind, arg, hasArg := strings.Cut(mask[1:], ":")
	switch {
	case kind == "a" && (!hasArg || arg == ""):
		return "$a:*", true
	case kind == "a":
		return mask, true
	case kind == "m" && hasArg && arg != "":
		inner, ok := normalizeListMask(arg)
		if !ok || strings.HasPrefix(inner, "$m:") {
			return "", false
		}
		return "$m:" + inner, true
	}
	return "", false
}

// accountMask is the form of c's account that $a: extbans match ("" when
// not logged in).
func accountMask(id users.Identity) string {
	if id.Account == "" {
		return ""
	}
	return "$a:" + id.Account
}

// speakMasks are c's forms for deciding whether it may speak: its usual
// forms, and the same behind "$m:" for mutes.
func speakMasks(c *users.Client) []string {
	masks := clientMasks(c)
	for _, m := range masks[:len(masks):len(masks)] {
		masks = append(masks, "$m:"+m)
	}
	return masks
}
