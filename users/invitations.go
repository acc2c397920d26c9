package users

import "slices"

// MaxInvitations bounds the pending invitations one client holds; past it
// the oldest is forgotten.
const MaxInvitations = 16

// Invitation is a pending invitation, held by the invitee so that it dies
// with the invitee's connection and costs the channel nothing. Its fields
// are numbers the channel room gives: which channel (an identity that a
// later channel of the same name does not share) and the channel's change
// count when the invitation was issued, which orders it against the
// channel's bans.
type Invitation struct {
	Channel uint64
	Seq     uint64
}

// AddInvitation records inv, replacing an earlier invitation to the same
// channel, and forgets the oldest past MaxInvitations.
func (c *Client) AddInvitation(inv Invitation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := c.invitationIndex(inv.Channel); i >= 0 {
		c.invites = slices.Delete(c.invites, i, i+1)
	}
	if len(c.invites) >= MaxInvitations {
		c.invites = slices.Delete(c.invites, 0, 1)
	}
	c.invites = append(c.invites, inv)
}

// Invitation returns the pending invitation to channel, if any.
func (c *Client) Invitation(channel uint64) (Invitation, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if i := c.invitationIndex(channel); i >= 0 {
		return c.invites[i], true
	}
	return Invitation{}, false
}

// DropInvitation forgets the invitation to channel (it was used).
func (c *Client) DropInvitation(channel uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := c.invitationIndex(channel); i >= 0 {
		c.invites = slices.Delete(c.invites, i, i+1)
	}
	if len(c.invites) == 0 {
		c.invites = nil
	}
}

func (c *Client) invitationIndex(channel uint64) int {
	return slices.IndexFunc(c.invites, func(inv Invitation) bool { return inv.Channel == channel })
}
