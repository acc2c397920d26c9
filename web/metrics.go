package web

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/conference-irc/conference/commands"
)

// namespace starts every metric of the server's own.
const namespace = "conference"

// Metrics is the Prometheus registry of the server. Most values are read
// at scrape time from counters the server keeps anyway (the collector
// below); the histograms here are hooks that the store and the history
// writer fill.
type Metrics struct {
	reg          *prometheus.Registry
	storeWrite   prometheus.Histogram
	historyWrite prometheus.Histogram
	historyLag   prometheus.Gauge
}

// writeBuckets are the buckets of the write latency histograms: a commit
// with fsync takes milliseconds.
func writeBuckets() []float64 {
	return []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}
}

func newMetrics(h *Handler) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		storeWrite: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "store", Name: "write_duration_seconds",
			Help: "Time to commit one write transaction to the database.", Buckets: writeBuckets(),
		}),
		historyWrite: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "history", Name: "write_duration_seconds",
			Help: "Time to commit one batch of messages to the history.", Buckets: writeBuckets(),
		}),
		historyLag: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "history", Name: "lag_seconds",
			Help: "Age of the oldest message not yet written to the history.",
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&collector{h: h},
		m.storeWrite, m.historyWrite, m.historyLag,
	)
	return m
}

// ObserveStoreWrite records how long a database write took.
func (m *Metrics) ObserveStoreWrite(d time.Duration) { m.storeWrite.Observe(d.Seconds()) }

// ObserveHistoryWrite records how long a history batch took to commit.
func (m *Metrics) ObserveHistoryWrite(d time.Duration) { m.historyWrite.Observe(d.Seconds()) }

// SetHistoryLag records how far the history writer is behind.
func (m *Metrics) SetHistoryLag(d time.Duration) { m.historyLag.Set(d.Seconds()) }

// Registry is the Prometheus registry, for collectors of other parts.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// metricsHandler serves the registry, unless web.metrics is off.
func (h *Handler) metricsHandler() http.Handler {
	serve := promhttp.HandlerFor(h.metrics.reg, promhttp.HandlerOpts{
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.d.Config().Web.Metrics {
			http.NotFound(w, r)
			return
		}
		serve.ServeHTTP(w, r)
	})
}

// descriptions of the metrics the collector makes at scrape time.
var (
	descConnections = prometheus.NewDesc(namespace+"_connections",
		"Open client connections (registered or not), by listener kind.", []string{"kind"}, nil)
	descAccepted = prometheus.NewDesc(namespace+"_connections_accepted_total",
		"Client connections accepted since start, by listener kind.", []string{"kind"}, nil)
	descUsers = prometheus.NewDesc(namespace+"_users",
		"Registered users.", nil, nil)
	descUnregistered = prometheus.NewDesc(namespace+"_unregistered_connections",
		"Connections that have not registered yet.", nil, nil)
	descOperators = prometheus.NewDesc(namespace+"_operators",
		"Users with operator rights.", nil, nil)
	descChannels = prometheus.NewDesc(namespace+"_channels",
		"Channels that exist.", nil, nil)
	descMessagesIn = prometheus.NewDesc(namespace+"_received_messages_total",
		"IRC lines received from clients.", nil, nil)
	descBytesIn = prometheus.NewDesc(namespace+"_received_bytes_total",
		"Bytes of the IRC lines received from clients, without line endings.", nil, nil)
	descMessagesOut = prometheus.NewDesc(namespace+"_sent_messages_total",
		"IRC lines written to clients.", nil, nil)
	descBytesOut = prometheus.NewDesc(namespace+"_sent_bytes_total",
		"Bytes of the IRC lines written to clients.", nil, nil)
	descDeliveries = prometheus.NewDesc(namespace+"_deliveries_total",
		"PRIVMSG, NOTICE and TAGMSG copies handed to recipients.", nil, nil)
	descCommands = prometheus.NewDesc(namespace+"_commands_total",
		"Commands received, by name (refused ones included).", []string{"command"}, nil)
	descCommandTime = prometheus.NewDesc(namespace+"_command_duration_seconds",
		"Time to handle a command, by name.", []string{"command"}, nil)
	descUnknown = prometheus.NewDesc(namespace+"_unknown_commands_total",
		"Lines with a command the server does not know, or that could not be parsed.", nil, nil)
	descDisconnects = prometheus.NewDesc(namespace+"_disconnects_total",
		"Clients cut off by the server: sendq (send queue full), flood (excess flood).", []string{"reason"}, nil)
	descRegistration = prometheus.NewDesc(namespace+"_registration_duration_seconds",
		"Time from connecting to the welcome.", nil, nil)
	descBuild = prometheus.NewDesc(namespace+"_build_info",
		"The server's version, as a label; the value is 1.", []string{"version"}, nil)
)

// collector reads the server's counters at scrape time, so that the paths
// that count pay one atomic add and nothing else.
type collector struct{ h *Handler }

// Describe sends the descriptions.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descConnections, descAccepted, descUsers, descUnregistered,
		descOperators, descChannels, descMessagesIn, descBytesIn, descMessagesOut, descBytesOut,
		descDeliveries, descCommands, descCommandTime, descUnknown, descDisconnects,
		descRegistration, descBuild} {
		ch <- d
	}
}

// Collect reads the counters.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	d, edge := c.h.d, c.h.edge.Stats()
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
	}
	counter := func(desc *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(v), labels...)
	}
	for _, k := range Kinds {
		gauge(descConnections, float64(edge.Open[k]), k)
		counter(descAccepted, edge.Accepted[k], k)
	}
	counts := d.Users().Counts()
	gauge(descUsers, float64(counts.Users))
	gauge(descUnregistered, float64(counts.Unknown))
	gauge(descOperators, float64(counts.Operators))
	gauge(descChannels, float64(d.Channels().Count()))
	counter(descMessagesIn, edge.LinesIn)
	counter(descBytesIn, edge.BytesIn)
	counter(descMessagesOut, edge.LinesOut)
	counter(descBytesOut, edge.BytesOut)
	counter(descDeliveries, d.Deliveries())
	counter(descUnknown, d.UnknownCommands())
	counter(descDisconnects, edge.SendQDrops, "sendq")
	counter(descDisconnects, edge.FloodDrops, "flood")
	for name, st := range d.CommandStats() {
		if st.Count == 0 {
			continue // commands never used make no series
		}
		counter(descCommands, st.Count, name)
		ch <- constHistogram(descCommandTime, st.Latency, name)
	}
	ch <- constHistogram(descRegistration, d.RegistrationTimes())
	gauge(descBuild, 1, c.h.version)
}

// constHistogram turns a dispatcher histogram into a Prometheus one.
func constHistogram(desc *prometheus.Desc, h commands.Histogram, labels ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(h.Bounds))
	var cumulative uint64
	for i, b := range h.Bounds {
		cumulative += h.Counts[i]
		buckets[b] = cumulative
	}
	return prometheus.MustNewConstHistogram(desc, h.Count(), h.Sum, buckets, labels...)
}
