package commands

import (
	"path/filepath"
	"strings"

	"github.com/conference-irc/conference/conf"
)

// rehashBySignal is who asked for a reload that no operator sent.
const rehashBySignal = "SIGHUP"

// handleREHASH reloads the configuration: 382, then either FAIL REHASH
// CONFIG_REFUSED with every problem (the old configuration stays), or a
// WARN REHASH RESTART_NEEDED for each setting that changed in the file but
// is fixed until a restart, and NOTE REHASH CONFIG_LOADED.
func handleREHASH(r *Request) {
	if r.d.hooks.Rehash == nil {
		r.Fail("REHASH", "UNAVAILABLE", "Rehash is not available")
		return
	}
	r.Numeric(RPL_REHASHING, configFileName(r.Config), "Rehashing")
	by := r.Client.Nick()
	// Reading the file is slow work (a disk, perhaps a hung mount, bounded
	// by the server's reload timeout): off the workers that serve everyone.
	r.Later(func(r *Request) {
		restart, err := r.d.hooks.Rehash(by)
		r.d.rehashed(r, by, restart, err)
		if err != nil {
			r.Fail("REHASH", "CONFIG_REFUSED", "New configuration refused, the old one stays in force: "+refusalText(err))
			return
		}
		for _, key := range restart {
			r.Reply("WARN", "REHASH", "RESTART_NEEDED", key, key+" changed in the file; the running value stays until the server restarts")
		}
		r.Note("REHASH", "CONFIG_LOADED", "Configuration reloaded")
	})
}

// configFileName is the file a reload reads, as 382 names it: its base
// name (the directory is the server's business), or "*" when the
// configuration comes from no file.
func configFileName(cfg *conf.Config) string {
	if cfg.File() == "" {
		return "*"
	}
	return filepath.Base(cfg.File())
}

// Rehashed logs a reload that no operator asked for (SIGHUP) and tells
// the operators with +s: restart names the settings that wait for a
// restart, err is why the file was refused.
func (d *Dispatcher) Rehashed(restart []string, err error) {
	d.rehashed(nil, rehashBySignal, restart, err)
}

// rehashed logs a reload by whoever asked and tells the operators; r is
// the requester's request when an operator sent REHASH.
func (d *Dispatcher) rehashed(r *Request, by string, restart []string, err error) {
	if err != nil {
		d.log.Warn("rehash refused", "by", by, "err", strings.Join(conf.Problems(err), "; "))
		d.serverNotice(r, "Configuration reload by "+by+" refused: "+refusalText(err))
		return
	}
	if len(restart) > 0 {
		d.log.Warn("configuration reloaded", "by", by, "restart_needed", strings.Join(restart, ","))
		d.serverNotice(r, "Configuration reloaded by "+by+"; these need a restart: "+strings.Join(restart, ", "))
		return
	}
	d.log.Info("configuration reloaded", "by", by)
	d.serverNotice(r, "Configuration reloaded by "+by)
}

// maxRefusalLen bounds the problems quoted in a REHASH refusal, so that the
// FAIL line fits in 512 bytes with its prefix.
const maxRefusalLen = 300

// refusalText lists every problem of a refused configuration on one line
// (each problem names its key), so the operator can fix them all at once.
func refusalText(err error) string {
	problems := conf.Problems(err)
	for i, p := range problems {
		problems[i] = firstLine(p)
	}
	text := strings.Join(problems, "; ")
	if len(text) > maxRefusalLen {
		text = truncate(text, maxRefusalLen-3) + "..."
	}
	return text
}

// firstLine cuts a multi-line error to its first line for IRC.
func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return s[:i]
		}
	}
	return s
}
