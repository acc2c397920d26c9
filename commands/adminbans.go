package commands

import (
	"context"
	"errors"
	"time"

	"github.com/conference-irc/conference/bans"
)

// ErrNoServerBans means the server runs without the ban list (no database).
var ErrNoServerBans = errors.New("server bans need the database")

// AddServerBan saves a K-line or D-line set by by (outside IRC: the admin
// API) and disconnects whoever it covers, as KLINE and DLINE do. It waits
// on the disk: never call it where clients' lines are dispatched.
func (d *Dispatcher) AddServerBan(ctx context.Context, kind, mask, reason, by string, duration time.Duration) (bans.Ban, error) {
	if d.bans == nil {
		return bans.Ban{}, ErrNoServerBans
	}
	norm, err := bans.NormalizeMask(kind, mask)
	if err != nil {
		return bans.Ban{}, err
	}
	if duration < 0 || duration > maxBanDuration {
		return bans.Ban{}, errors.New("a duration is 1 minute to 1 year")
	}
	if reason == "" {
		reason = "No reason given"
	}
	ban := bans.Ban{Kind: kind, Mask: norm, Reason: truncate(reason, d.Config().Limits.KickLen), SetBy: by, SetAt: d.clock().UTC().Truncate(time.Second)}
	if duration > 0 {
		ban.Expires = ban.SetAt.Add(duration)
	}
	if err := d.bans.Add(ctx, ban); err != nil {
		return bans.Ban{}, err
	}
	d.banAdded(nil, ban)
	return ban, nil
}

// RemoveServerBan lifts a K-line or D-line, as UNKLINE and UNDLINE do
// (bans.ErrNoBan when there is none). It waits on the disk.
func (d *Dispatcher) RemoveServerBan(ctx context.Context, kind, mask, by string) error {
	if d.bans == nil {
		return ErrNoServerBans
	}
	norm, err := bans.NormalizeMask(kind, mask)
	if err != nil {
		return err
	}
	if err := d.bans.Remove(ctx, kind, norm); err != nil {
		return err
	}
	d.banRemoved(nil, kind, norm, by)
	return nil
}

// ServerBans lists the bans of kind in force.
func (d *Dispatcher) ServerBans(kind string) []bans.Ban {
	if d.bans == nil {
		return nil
	}
	return d.bans.List(kind)
}
