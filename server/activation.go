package server

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
)

// listenFDsStart is the first descriptor systemd hands over (SD_LISTEN_FDS_START).
const listenFDsStart = 3

// inheritedSockets are listening sockets handed in by systemd socket
// activation and not yet matched to a listener block.
type inheritedSockets []net.Listener

// activationListeners takes the sockets systemd passed in (LISTEN_PID is
// this process, LISTEN_FDS counts them from descriptor 3). It unsets the
// variables so that nothing started later takes them for its own. Without
// socket activation it returns none.
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
		syscall.CloseOnExec(fd)
		f := os.NewFile(uintptr(fd), "systemd-socket-"+strconv.Itoa(fd))
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
