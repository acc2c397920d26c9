package web

// Edge is what the web endpoints ask of the network edge (the server that
// mounts them): its counters, whether it serves, and the configuration
// reload that REHASH and SIGHUP run.
type Edge interface {
	// Stats reads the edge's counters.
	Stats() EdgeStats
	// Ready says why the server does not serve yet (or any more); nil
	// when every listener is open.
	Ready() error
	// Rehash reloads the configuration for by (who asked); an error means
	// the old one stays, restart names the settings that need a restart.
	Rehash(by string) (restart []string, err error)
}

// Connection kinds, the label of the connection metrics.
const (
	KindPlain = "plain" // IRC over TCP
	KindTLS   = "tls"   // IRC over TLS
	KindWS    = "ws"    // IRC over WebSocket
	KindWSS   = "wss"   // IRC over WebSocket over TLS
)

// Kinds lists every connection kind, in the order of the metrics.
var Kinds = [...]string{KindPlain, KindTLS, KindWS, KindWSS}

// EdgeStats are the edge's counters at one moment.
type EdgeStats struct {
	// Open counts open connections, registered or not, by kind.
	Open map[string]int
	// Accepted counts connections accepted since start, by kind.
	Accepted map[string]uint64
	// LinesIn and BytesIn count the lines read from clients (bytes
	// without line endings); LinesOut and BytesOut the lines written.
	LinesIn, BytesIn, LinesOut, BytesOut uint64
	// SendQDrops counts clients cut off for a full send queue, FloodDrops
	// those cut off for excess flood.
	SendQDrops, FloodDrops uint64
}
