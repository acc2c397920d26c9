package history

import (
	"context"
	"fmt"
	"time"
)

// pruneBatch is the most records one prune transaction deletes, so that the
// writer's batches never wait long behind retention.
const pruneBatch = 5000

// pruneEvery runs Prune every interval until the store closes.
func (p *Persistent) pruneEvery(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if n, err := p.Prune(context.Background()); err != nil {
				p.log.Error("history retention", "err", err)
			} else if n > 0 {
				p.log.Info("history retention", "deleted", n)
			}
		case <-p.stop:
			return
		}
	}
}

// Prune deletes what retention no longer keeps, target by target, and says
// how many records it deleted.
func (p *Persistent) Prune(ctx context.Context) (int, error) {
	r := p.retention
	if r.ChannelAge == 0 && r.ChannelCount == 0 && r.DMAge == 0 && r.DMCount == 0 {
		return 0, nil
	}
	keys, err := p.db.HistoryTargetKeys(ctx)
	if err != nil {
		return 0, fmt.Errorf("history retention: %w", err)
	}
	now := p.clock()
	total := 0
	for _, key := range keys {
		age, count := r.ChannelAge, r.ChannelCount
		if IsDM(key) {
			age, count = r.DMAge, r.DMCount
		}
		var before time.Time
		if age > 0 {
			before = now.Add(-age)
		}
		if age == 0 && count == 0 {
			continue
		}
		for {
			n, err := p.db.PruneHistory(ctx, key, before, count, pruneBatch)
			if err != nil {
				return total, fmt.Errorf("history retention: %w", err)
			}
			total += n
			if n < pruneBatch {
				break
			}
		}
	}
	return total, nil
}
