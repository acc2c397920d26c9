package server

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/conference-irc/conference/commands"
	"github.com/conference-irc/conference/conf"
)

// defaultReloadTimeout bounds a reload that waits on its file.
const defaultReloadTimeout = 10 * time.Second

// errStillLoading refuses a reload while an earlier one still waits on the
// file: loads never pile up behind a file that does not answer.
var errStillLoading = errors.New("an earlier reload is still reading the configuration file")

// loadConfig runs Reload, bounded by the reload timeout. A load that does
// not finish in time is abandoned (its goroutine ends whenever the read
// does) and reported as an error; until it ends, other loads are refused.
func (s *Server) loadConfig() (*conf.Config, error) {
	select {
	case s.loading <- struct{}{}:
	default:
		return nil, errStillLoading
	}
	type result struct {
		cfg *conf.Config
		err error
	}
	done := make(chan result, 1)
	go func() {
		cfg, err := s.reload()
		<-s.loading
		done <- result{cfg, err}
	}()
	expired := make(chan struct{})
	timer := s.clock.AfterFunc(s.reloadTimeout, func() { close(expired) })
	defer timer.Stop()
	select {
	case r := <-done:
		return r.cfg, r.err
	case <-expired:
		return nil, fmt.Errorf("the configuration file did not load within %s (a FIFO, a hung mount?)", s.reloadTimeout)
	}
}

// Rehash loads the configuration again for by (an operator's nick, or
// "SIGHUP") and swaps it in. A configuration that fails to load is refused
// and the old one stays in force. Settings fixed at start keep their
// running values: restart names those the new file changes.
func (s *Server) Rehash(by string) (restart []string, err error) {
	s.rehashMu.Lock()
	defer s.rehashMu.Unlock()
	next, err := s.loadConfig()
	if err != nil {
		return nil, err
	}
	if err := commands.CheckCapabilities(next); err != nil {
		return nil, err
	}
	next, restart = conf.KeepFixed(s.disp.Config(), next)
	s.disp.SetConfig(next)
	s.reloadCertificates(next)
	if s.logLevel != nil {
		s.logLevel.Set(next.Log.SlogLevel())
	}
	return restart, nil
}

// RehashBySignal is Rehash for SIGHUP: the outcome is logged and told to
// the operators, as for REHASH.
func (s *Server) RehashBySignal() {
	restart, err := s.Rehash("SIGHUP")
	s.disp.Rehashed(restart, err)
}

// CheckRestart makes sure that a RESTART would come back: the
// configuration loads (bounded as a reload is) and the executable is
// still there.
func (s *Server) CheckRestart() error {
	if _, err := s.loadConfig(); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the server's executable: %w", err)
	}
	if _, err := os.Stat(exe); err != nil {
		return fmt.Errorf("the server's executable is gone: %w", err)
	}
	return nil
}
