package server

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// listenFDsStart is the first descriptor systemd hands over (SD_LISTEN_FDS_START).
const listenFDsStart = 3

// inheritedSockets are listening sockets handed in by systemd socket
// activation and not yet matched to a listener block.
type inheritedSockets []net.Listener

// activationListeners takes the sockets systemd passed in (LISTEN_PID is
// this process, LISTEN_FDS counts them from descriptor 3). It unsets the
// variables so that nothing started later takes them for its own. Without
// socket activation it returns none. The descriptors themselves stay open
// at their numbers (close-on-exec) for as long as the process lives, so
// that a RESTART can hand them on (RestartEnv); the listeners work on
// copies.
func activationListeners() (inheritedSockets, error) {
	pid, fds := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS")
	if pid == "" || fds == "" {
		return nil, nil
	}
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	if p, err := strconv.Atoi(pid); err != nil || p != os.Getpid() {
		return nil, nil // meant for another process
	}
	n, err := strconv.Atoi(fds)
	if err != nil || n < 0 || n > 256 {
		return nil, fmt.Errorf("socket activation: LISTEN_FDS=%q is not a count of sockets", fds)
	}
	var out inheritedSockets
	for fd := listenFDsStart; fd < listenFDsStart+n; fd++ {
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("socket activation: descriptor %d: %w", fd, err)
		}
		unix.CloseOnExec(fd)
		f := os.NewFile(uintptr(dup), "systemd-socket-"+strconv.Itoa(fd))
		l, err := net.FileListener(f)
		f.Close() // FileListener made its own copy of the descriptor
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("socket activation: descriptor %d is not a listening TCP socket: %w", fd, err)
		}
		if _, ok := l.Addr().(*net.TCPAddr); !ok {
			l.Close()
			closeAll(out)
			return nil, fmt.Errorf("socket activation: descriptor %d is not a TCP socket (%s)", fd, l.Addr())
		}
		out = append(out, l)
	}
	return out, nil
}

// take removes and returns the inherited socket that serves addr: the same
// port, and the same address unless addr leaves the host out or names
// every interface.
func (in *inheritedSockets) take(addr string) (net.Listener, bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, false
	}
	for i, l := range *in {
		got := l.Addr().(*net.TCPAddr)
		if strconv.Itoa(got.Port) != port || port == "0" {
			continue
		}
		if host != "" {
			want, err := netip.ParseAddr(host)
			if err != nil {
				continue // a host name: bind it ourselves
			}
			have, _ := netip.AddrFromSlice(got.IP)
			if !want.IsUnspecified() && want.Unmap() != have.Unmap() {
				continue
			}
		}
		*in = append((*in)[:i], (*in)[i+1:]...)
		return l, true
	}
	return nil, false
}

// activationVars are the environment variables of socket activation.
var activationVars = []string{"LISTEN_PID=", "LISTEN_FDS=", "LISTEN_FDNAMES="}

// RestartEnv is env for the program that a RESTART executes in place of
// this one (the same process, so the same pid). When systemd handed this
// one its listening sockets, the new one gets them the same way, at the
// same descriptors (kept open since the start, see activationListeners),
// rather than binding the ports again, which a privileged port, or a port
// that systemd holds, refuses. Call it after Shutdown, right before the
// exec: the descriptors are then no longer closed on exec.
func (s *Server) RestartEnv(env []string) ([]string, error) {
	out := slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return slices.ContainsFunc(activationVars, func(v string) bool { return strings.HasPrefix(kv, v) })
	})
	s.mu.Lock()
	n := s.activated
	s.mu.Unlock()
	if n == 0 {
		return out, nil
	}
	for fd := listenFDsStart; fd < listenFDsStart+n; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
			return nil, fmt.Errorf("hand socket %d on: %w", fd, err)
		}
	}
	return append(out, "LISTEN_PID="+strconv.Itoa(os.Getpid()), "LISTEN_FDS="+strconv.Itoa(n)), nil
}
