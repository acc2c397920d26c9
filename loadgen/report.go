package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// PassP99 is the delivery latency a passing fanout or direct run stays under
// at the 99th percentile.
const PassP99 = 100 * time.Millisecond

// passRateShare is the share of the target rate a passing run must send.
const passRateShare = 0.95

// Params echoes the configuration that produced a Result.
type Params struct {
	Addr        string  `json:"addr"`
	Clients     int     `json:"clients"`
	Channels    int     `json:"channels"`
	Senders     int     `json:"senders"`
	Rate        float64 `json:"rate"`
	DurationSec float64 `json:"duration_sec"`
	ConnectRate float64 `json:"connect_rate"`
	MaxPending  int     `json:"max_pending"`
	Size        int     `json:"size"`
	NickPrefix  string  `json:"nick_prefix"`
	PID         int     `json:"pid,omitempty"`
}

func paramsOf(c Config) Params {
	return Params{
		Addr: c.Addr, Clients: c.Clients, Channels: c.Channels, Senders: c.Senders,
		Rate: c.Rate, DurationSec: c.Duration.Seconds(), ConnectRate: c.ConnectRate,
		MaxPending: c.MaxPending, Size: c.Size, NickPrefix: c.NickPrefix, PID: c.PID,
	}
}

// Result holds every figure of one run. Durations are in milliseconds,
// memory in KiB. Figures a scenario does not produce stay zero.
type Result struct {
	Scenario   string  `json:"scenario"`
	Params     Params  `json:"params"`
	ElapsedSec float64 `json:"elapsed_sec"`

	// Setup: clients that got 001 and the end of the MOTD, that finished
	// joining, and failures (setup, send and drops during the run).
	Registered int64            `json:"registered"`
	Joined     int64            `json:"joined"`
	Failed     int64            `json:"failed"`
	Failures   map[string]int64 `json:"failures,omitempty"`
	RegPerSec  float64          `json:"reg_per_sec"`
	RegP50Ms   float64          `json:"reg_p50_ms"`
	RegP99Ms   float64          `json:"reg_p99_ms"`
	RegMaxMs   float64          `json:"reg_max_ms"`

	// Messages (fanout, direct). Senders is how many clients sent.
	Senders          int     `json:"senders"`
	Sent             int64   `json:"sent"`
	SentPerSec       float64 `json:"sent_per_sec"`
	Expected         int64   `json:"expected"`
	Received         int64   `json:"received"`
	Lost             int64   `json:"lost"`
	DeliveriesPerSec float64 `json:"deliveries_per_sec"`

	// Latency: of deliveries (fanout, direct) or of whole cycles (churn).
	P50Ms  float64 `json:"p50_ms"`
	P90Ms  float64 `json:"p90_ms"`
	P99Ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
	MeanMs float64 `json:"mean_ms"`

	// Churn.
	Cycles         int64   `json:"cycles"`
	CyclesLaunched int64   `json:"cycles_launched"`
	CyclesPerSec   float64 `json:"cycles_per_sec"`
	Skipped        int64   `json:"skipped"`

	// Server, when -pid was given. CPU is measured from before the first
	// dial to the end of the drain, RSS at the end while the load is still
	// connected. RSSPerClientKiB is the growth of RSS over the run divided
	// by the clients set up: meaningful on a freshly started server only,
	// since allocators rarely return memory (zero for churn).
	ServerMeasured     bool    `json:"server_measured"`
	ServerCPUSec       float64 `json:"server_cpu_sec"`
	ServerCPUPct       float64 `json:"server_cpu_pct"`
	ServerRSSKiB       int64   `json:"server_rss_kib"`
	ServerRSSBeforeKiB int64   `json:"server_rss_before_kib"`
	RSSPerClientKiB    float64 `json:"rss_per_client_kib"`

	// SendLag is how late the generator's writes finished after each
	// message's intended send time (fanout, direct): its own delays plus
	// any time the server made a write wait. Latency above already counts
	// it; a large lag with a saturated generator points at the generator.
	SendLagP50Ms float64 `json:"send_lag_p50_ms"`
	SendLagP99Ms float64 `json:"send_lag_p99_ms"`
	SendLagMaxMs float64 `json:"send_lag_max_ms"`

	// The generator itself, over the whole run.
	GenCPUSec float64 `json:"gen_cpu_sec"`
	GenCPUPct float64 `json:"gen_cpu_pct"`
	GenRSSKiB int64   `json:"gen_rss_kib"`
	// The generator while sending and draining (fanout, direct): CPU as a
	// percentage of one core, its budget (GenSaturatedShare of a core per
	// thread it may run, GOMAXPROCS), and whether it passed the budget, in
	// which case its figures include its own delays.
	GenSendCPUSec float64 `json:"gen_send_cpu_sec"`
	GenSendCPUPct float64 `json:"gen_send_cpu_pct"`
	GenThreads    int     `json:"gen_threads"`
	GenBudgetPct  float64 `json:"gen_budget_pct"`
	GenSaturated  bool    `json:"gen_saturated"`

	// Aborted is "interrupted" (signal), "timeout" (-timeout) or empty.
	Aborted string `json:"aborted,omitempty"`
	// Pass applies the scenario's pass rule; PassRule says what it was.
	Pass     bool   `json:"pass"`
	PassRule string `json:"pass_rule"`
}

// GenSaturatedShare is the share of a core per generator thread past which
// the generator counts as saturated: its own scheduling then adds to the
// latencies it reports.
const GenSaturatedShare = 0.8

// fillGenWindow sets the generator's CPU over the send window between two
// samples of its own process, and judges it against threads cores.
func (r *Result) fillGenWindow(before, after ProcSample, threads int) {
	r.GenSendCPUSec, r.GenSendCPUPct = cpuFigures(before, after)
	r.GenThreads = threads
	r.GenBudgetPct = round1(100 * GenSaturatedShare * float64(threads))
	r.GenSaturated = r.GenSendCPUPct > r.GenBudgetPct
}

// judge sets Pass and PassRule.
func (r *Result) judge(c Config) {
	ok := r.Aborted == "" && r.Failed == 0
	switch Scenario(r.Scenario) {
	case ScenarioConnect:
		r.PassRule = "every client registered and joined, no failure"
		r.Pass = ok && r.Joined == int64(c.Clients)
	case ScenarioFanout, ScenarioDirect:
		r.PassRule = fmt.Sprintf("p99 <= %s, lost == 0, no failure, sent >= %.0f%% of rate",
			PassP99, passRateShare*100)
		target := c.Rate * c.Duration.Seconds()
		r.Pass = ok && r.Lost == 0 && r.Received > 0 && r.P99Ms <= ms(PassP99) &&
			float64(r.Sent) >= passRateShare*target
	case ScenarioChurn:
		r.PassRule = "no failure, no skipped cycle"
		r.Pass = ok && r.Cycles > 0 && r.Skipped == 0
	}
}

// WriteJSON writes r as one line of JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// WriteTable writes r as aligned sections for people.
func (r *Result) WriteTable(w io.Writer) error {
	p := r.Params
	var b strings.Builder
	fmt.Fprintf(&b, "conference-load %s against %s: %s\n\n", r.Scenario, p.Addr, r.describe())
	sections := [][][]string{r.setupRows()}
	switch Scenario(r.Scenario) {
	case ScenarioFanout, ScenarioDirect:
		sections = append(sections, r.messageRows(), r.latencyRows("latency"), r.lagRows())
	case ScenarioChurn:
		sections = append(sections, r.churnRows(), r.latencyRows("cycle time"))
	}
	sections = append(sections, r.procRows())
	for _, rows := range sections {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		_ = tw.Flush()
		b.WriteByte('\n')
	}
	for _, rc := range sortedReasons(r.Failures) {
		fmt.Fprintf(&b, "failure  %6d  %s\n", rc.Count, rc.Reason)
	}
	verdict := "PASS"
	if !r.Pass {
		verdict = "FAIL"
	}
	if r.Aborted != "" {
		verdict += " (aborted: " + r.Aborted + ")"
	}
	fmt.Fprintf(&b, "result   %s  [%s]\n", verdict, r.PassRule)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// describe says in words what the run did.
func (r *Result) describe() string {
	p := r.Params
	conn := "as fast as allowed"
	if p.ConnectRate > 0 {
		conn = fmt.Sprintf("at most %g/s", p.ConnectRate)
	}
	switch Scenario(r.Scenario) {
	case ScenarioConnect:
		return fmt.Sprintf("%d clients connecting %s, %d channels, held %gs", p.Clients, conn, p.Channels, p.DurationSec)
	case ScenarioFanout:
		return fmt.Sprintf("%d clients in %d channels, %d senders, %g msg/s for %gs, %d-byte text",
			p.Clients, p.Channels, p.Senders, p.Rate, p.DurationSec, p.Size)
	case ScenarioDirect:
		return fmt.Sprintf("%d clients in pairs, %g msg/s for %gs, %d-byte text", p.Clients, p.Rate, p.DurationSec, p.Size)
	default:
		return fmt.Sprintf("%g cycles/s for %gs, at most %d at once, %d channels", p.Rate, p.DurationSec, p.Clients, p.Channels)
	}
}

func (r *Result) setupRows() [][]string {
	return [][]string{
		{"setup", "registered", "joined", "failed", "reg/s", "reg p50", "reg p99", "reg max"},
		{"", num(r.Registered), num(r.Joined), num(r.Failed), f1(r.RegPerSec),
			msStr(r.RegP50Ms), msStr(r.RegP99Ms), msStr(r.RegMaxMs)},
	}
}

func (r *Result) messageRows() [][]string {
	return [][]string{
		{"messages", "senders", "sent", "sent/s", "expected", "received", "lost", "deliveries/s"},
		{"", num(int64(r.Senders)), num(r.Sent), f1(r.SentPerSec), num(r.Expected), num(r.Received),
			num(r.Lost), f1(r.DeliveriesPerSec)},
	}
}

func (r *Result) latencyRows(title string) [][]string {
	return [][]string{
		{title, "p50", "p90", "p99", "max", "mean"},
		{"", msStr(r.P50Ms), msStr(r.P90Ms), msStr(r.P99Ms), msStr(r.MaxMs), msStr(r.MeanMs)},
	}
}

func (r *Result) churnRows() [][]string {
	return [][]string{
		{"churn", "launched", "completed", "cycles/s", "skipped"},
		{"", num(r.CyclesLaunched), num(r.Cycles), f1(r.CyclesPerSec), num(r.Skipped)},
	}
}

func (r *Result) procRows() [][]string {
	rows := [][]string{{"process", "cpu s", "cpu %", "rss KiB", "rss before KiB", "rss growth/client KiB"}}
	if r.ServerMeasured {
		rows = append(rows, []string{"server", f2(r.ServerCPUSec), f1(r.ServerCPUPct), num(r.ServerRSSKiB),
			num(r.ServerRSSBeforeKiB), f2(r.RSSPerClientKiB)})
	} else {
		rows = append(rows, []string{"server", "-", "-", "-", "-", "- (no -pid)"})
	}
	rows = append(rows, []string{"generator", f2(r.GenCPUSec), f1(r.GenCPUPct), num(r.GenRSSKiB), "", ""})
	if r.GenThreads > 0 {
		note := fmt.Sprintf("budget %.0f%% (%d threads x %.0f%%)", r.GenBudgetPct, r.GenThreads, 100*GenSaturatedShare)
		if r.GenSaturated {
			note = "SATURATED: over " + note + ", latencies include the generator's own delays"
		}
		rows = append(rows, []string{"gen sending", f2(r.GenSendCPUSec), f1(r.GenSendCPUPct), "", "", note})
	}
	return rows
}

func (r *Result) lagRows() [][]string {
	return [][]string{
		{"send lag", "p50", "p99", "max", "(write done - intended send time, counted in latency)"},
		{"", msStr(r.SendLagP50Ms), msStr(r.SendLagP99Ms), msStr(r.SendLagMaxMs), ""},
	}
}

// ms converts to float milliseconds with microsecond resolution.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func round1(f float64) float64 { return math.Round(f*10) / 10 }
func num(n int64) string       { return fmt.Sprintf("%d", n) }
func f1(f float64) string      { return fmt.Sprintf("%.1f", f) }
func f2(f float64) string      { return fmt.Sprintf("%.2f", f) }
func msStr(f float64) string   { return fmt.Sprintf("%.3f ms", f) }
