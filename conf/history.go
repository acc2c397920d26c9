package conf

import "time"

// History configures message history (CHATHISTORY, replay on JOIN).
type History struct {
	// Enabled stores channel messages and serves them with CHATHISTORY.
	Enabled bool `koanf:"enabled"`
	// Persistent keeps history in the database; false keeps only the
	// newest Memory messages of each conversation in memory, lost on
	// restart.
	Persistent bool `koanf:"persistent"`
	// DMs stores the private conversations of logged-in users (both
	// sides logged in), readable by those two accounts.
	DMs bool `koanf:"dms"`
	// Limit is the most messages one CHATHISTORY request returns
	// (ISUPPORT CHATHISTORY).
	Limit int `koanf:"limit"`
	// Memory is how many messages of each conversation are kept when
	// Persistent is false.
	Memory int `koanf:"memory"`
	// Queue is how many messages may wait for the database writer; past
	// it, messages are not stored (and counted) rather than slowing
	// anyone down.
	Queue int `koanf:"queue"`
	// Replay is how many lines a client without draft/chathistory gets on
	// JOIN (0: none).
	Replay int `koanf:"replay"`
	// Retention bounds how long history is kept.
	Retention Retention `koanf:"retention"`
}

// Retention bounds stored history by age and by count per conversation;
// 0 means no bound.
type Retention struct {
	// ChannelAge is how long a channel message is kept.
	ChannelAge time.Duration `koanf:"channelage"`
	// ChannelCount is how many messages each channel keeps.
	ChannelCount int `koanf:"channelcount"`
	// DMAge is how long a private message is kept.
	DMAge time.Duration `koanf:"dmage"`
	// DMCount is how many messages each private conversation keeps.
	DMCount int `koanf:"dmcount"`
	// Interval is how often expired history is deleted.
	Interval time.Duration `koanf:"interval"`
}

// history checks the history section.
func (c *checker) history(h History) {
	c.atLeast("history.limit", h.Limit, 1)
	c.atLeast("history.memory", h.Memory, 1)
	c.atLeast("history.queue", h.Queue, 1)
	c.atLeast("history.replay", h.Replay, 0)
	c.atLeast("history.retention.channelcount", h.Retention.ChannelCount, 0)
	c.atLeast("history.retention.dmcount", h.Retention.DMCount, 0)
	// An age of 0 keeps history forever.
	if h.Retention.ChannelAge != 0 {
		c.longEnough("history.retention.channelage", h.Retention.ChannelAge, time.Minute)
	}
	if h.Retention.DMAge != 0 {
		c.longEnough("history.retention.dmage", h.Retention.DMAge, time.Minute)
	}
	c.longEnough("history.retention.interval", h.Retention.Interval, time.Second)
}
