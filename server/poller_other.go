//go:build !linux

package server

import (
	"errors"
	"log/slog"
)

// poller is Linux-only: conference waits on its clients with epoll.
type poller struct{}

func newPoller(*slog.Logger) (*poller, error) {
	return nil, errors.New("conference runs on Linux only (it waits on clients with epoll)")
}

func (*poller) add(*conn) error { return errors.New("unsupported platform") }
func (*poller) remove(*conn)    {}
func (*poller) close()          {}
