package server

import "time"

// Clock is where the server reads the time and sets its timers: the read
// side's deadlines (registration, ping), the end of a flood delay, and the
// stamps on messages. Tests inject a clock they advance by hand, so that no
// test waits on the real one.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// AfterFunc calls f on its own goroutine once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a timer made by a Clock.
type Timer interface {
	// Stop prevents the timer from firing; it reports whether it was armed.
	Stop() bool
	// Reset makes the timer fire d from now; it reports whether it was armed.
	Reset(d time.Duration) bool
}

// realClock is the system clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
