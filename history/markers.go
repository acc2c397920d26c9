package history

import (
	"context"
	"time"
)

// ReadMarker reads a marker from the database.
func (p *Persistent) ReadMarker(ctx context.Context, account, target string) (time.Time, error) {
	return p.db.ReadMarker(ctx, account, target)
}

// SetReadMarker moves a marker forward in the database.
func (p *Persistent) SetReadMarker(ctx context.Context, account, target string, t time.Time) (time.Time, error) {
	return p.db.SetReadMarker(ctx, account, target, t)
}

// markerKey is a read marker's key in Memory.
type markerKey struct{ account, target string }

// ReadMarker reads a marker kept in memory.
func (m *Memory) ReadMarker(_ context.Context, account, target string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.markers[markerKey{account, target}], nil
}

// SetReadMarker moves a marker kept in memory forward.
func (m *Memory) SetReadMarker(_ context.Context, account, target string, t time.Time) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := markerKey{account, target}
	t = t.Truncate(time.Millisecond).UTC()
	if t.After(m.markers[k]) {
		m.markers[k] = t
	}
	return m.markers[k], nil
}
