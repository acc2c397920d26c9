#!/bin/bash
# compare.sh: run conference-load against a FRESH server process per run.
#
# Usage:
#   compare.sh run SERVER [conference-load flags...]
#       Start SERVER (conference | ngircd | inspircd) fresh, wait for its port,
#       run /tmp/conference-load -addr ... -pid ... -json -quiet FLAGS, print the
#       JSON line, stop the server by its PID (SIGTERM, then SIGKILL after 5 s).
#       Exit status is the generator's (0 pass, 1 did not pass, 2 error).
#   compare.sh multi SERVER N PER_GEN [flags...]
#       As run, but N generators of PER_GEN clients each, started together with
#       -nick-prefix g1, g2, ... (-scenario connect). Prints each generator's
#       JSON line, then one line "multi:" with the server's VmRSS before and
#       after (read from /proc/PID/status by this script, after every generator
#       reported that its clients registered) and the registered total.
#   compare.sh matrix OUTDIR
#       Series A of BENCHMARKS.md: every cell, 3 fresh runs each, one server
#       after the other; JSON lines appended to OUTDIR/<server>.<cell>.jsonl
#       (multi lines to OUTDIR/conference.multi-19000.txt). About 75 minutes.
#   compare.sh interleaved OUTDIR
#       Series B: the traffic cells with the servers interleaved run by run,
#       all with -connect-rate 500. About 15 minutes.
#   SERVERS="conference ngircd" limits matrix/interleaved to some servers.
#
# Servers (binaries and configs; build ours first):
#   conference: go build -o /tmp/conferenced ./cmd/conferenced
#               CONFERENCE_EXEMPT=127.0.0.0/8 /tmp/conferenced --listen 127.0.0.1:16668
#   ngircd:     apt-get install -y ngircd; ngircd -n -f /tmp/ngircd-load/ngircd.conf (port 16667;
#               the config is in cmd/conference-load/README.md)
#   inspircd:   apt-get install -y inspircd; inspircd --nofork --runasroot --nopid
#               --config=/tmp/inspircd-load/inspircd.conf (port 16669; config in BENCHMARKS.md)
#   generator:  go build -o /tmp/conference-load ./cmd/conference-load
#
# Everything is on 127.0.0.1. Only processes this script started are stopped,
# by PID.
set -u

LOAD=${LOAD:-/tmp/conference-load}
CONFERENCED=${CONFERENCED:-/tmp/conferenced}
NGIRCD_CONF=${NGIRCD_CONF:-/tmp/ngircd-load/ngircd.conf}
INSPIRCD_CONF=${INSPIRCD_CONF:-/tmp/inspircd-load/inspircd.conf}
LOGDIR=${LOGDIR:-/tmp/compare-logs}
mkdir -p "$LOGDIR"

SRV_PID=
SRV_ADDR=

start_server() {
	local name=$1 port
	case $name in
	conference)
		port=16668
		CONFERENCE_EXEMPT=127.0.0.0/8 "$CONFERENCED" --listen 127.0.0.1:$port >"$LOGDIR/conference.log" 2>&1 &
		;;
	ngircd)
		port=16667
		ngircd -n -f "$NGIRCD_CONF" >"$LOGDIR/ngircd.log" 2>&1 &
		;;
	inspircd)
		port=16669
		inspircd --nofork --runasroot --nopid --config="$INSPIRCD_CONF" >"$LOGDIR/inspircd.log" 2>&1 &
		;;
	*)
		echo "unknown server $name" >&2
		exit 2
		;;
	esac
	SRV_PID=$!
	SRV_ADDR=127.0.0.1:$port
	local i
	for i in $(seq 100); do
		if ss -Hltn "sport = :$port" | grep -q .; then
			sleep 0.3 # let it settle (RSS before is read by the generator)
			return 0
		fi
		sleep 0.1
	done
	echo "$name did not listen on $port" >&2
	stop_server
	exit 2
}

stop_server() {
	[ -n "$SRV_PID" ] || return 0
	kill -TERM "$SRV_PID" 2>/dev/null
	local i
	for i in $(seq 50); do
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
	# let TIME_WAIT/closing sockets and the other side settle between runs
	sleep 1
}
trap stop_server EXIT

vmrss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

cmd_run() {
	local name=$1
	shift
	start_server "$name"
	"$LOAD" -addr "$SRV_ADDR" -pid "$SRV_PID" -json -quiet "$@"
	local rc=$?
	stop_server
	return $rc
}

cmd_multi() {
	local name=$1 n=$2 per=$3
	shift 3
	start_server "$name"
	local before after i tmp
	before=$(vmrss "$SRV_PID")
	tmp=$(mktemp -d)
	local pids=()
	for i in $(seq "$n"); do
		"$LOAD" -addr "$SRV_ADDR" -pid "$SRV_PID" -json -quiet -scenario connect \
			-clients "$per" -nick-prefix "g$i" "$@" >"$tmp/$i.json" 2>"$tmp/$i.err" &
		pids+=($!)
	done
	# Read RSS while all clients are held: each generator logs "setup done"
	# on stderr (even with -quiet) once its clients registered and joined;
	# wait for all of them, then a second for the server to settle.
	local want=$((n * per)) est=0 done_n=0
	for i in $(seq 1200); do
		done_n=$(grep -l 'setup done' "$tmp"/*.err 2>/dev/null | wc -l)
		[ "$done_n" -ge "$n" ] && break
		sleep 0.25
	done
	sleep 1
	est=$(ss -Htn state established "sport = :${SRV_ADDR##*:}" | wc -l)
	after=$(vmrss "$SRV_PID")
	local rc=0
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	cat "$tmp"/*.json
	local reg
	reg=$(cat "$tmp"/*.json | jq -s 'map(.registered) | add')
	echo "multi: server=$name generators=$n per_gen=$per established_at_read=$est setup_done=$done_n/$n registered=$reg rss_before_kib=$before rss_held_kib=$after rss_per_client_kib=$(awk -v a="$after" -v b="$before" -v c="$want" 'BEGIN{printf "%.2f", (a-b)/c}')"
	cat "$tmp"/*.err >&2
	rm -rf "$tmp"
	stop_server
	return $rc
}

# One matrix cell: SERVER CELL REPEATS FLAGS...
cell() {
	local name=$1 tag=$2 reps=$3
	shift 3
	local i
	for i in $(seq "$reps"); do
		echo "== $name $tag run $i: $*" >&2
		"$0" run "$name" "$@" >>"$OUT/$name.$tag.jsonl" 2>>"$OUT/$name.$tag.err"
	done
}

FANOUT="-scenario fanout -clients 500 -channels 10 -senders 50 -duration 10"
DIRECT="-scenario direct -clients 500 -duration 10"

# Series A: every server with the same flags, one server after the other,
# then the cells that had to be added (higher rates; ngIRCd with
# -connect-rate 500, which its 10-deep accept queue needs).
cmd_matrix() {
	OUT=$1
	mkdir -p "$OUT"
	local servers=${SERVERS:-conference ngircd inspircd}
	local s r
	for s in $servers; do
		local fan_rates
		case $s in
		conference) fan_rates="2000 16000 32000 40000 48000 56000 64000 72000 80000" ;;
		inspircd) fan_rates="2000 8000 10000 16000 32000 40000 48000 56000 64000" ;;
		*) fan_rates="2000 8000 10000 16000 32000" ;;
		esac
		for r in $fan_rates; do
			cell "$s" "fanout-$r" 3 $FANOUT -rate "$r"
		done
		for r in 30000 60000 80000; do
			cell "$s" "direct-$r" 3 $DIRECT -rate "$r"
		done
		case $s in
		conference | inspircd)
			for r in 100000 120000; do
				cell "$s" "direct-$r" 3 $DIRECT -rate "$r"
			done
			;;
		esac
		cell "$s" connect-2000 3 -scenario connect -clients 2000 -channels 10 -duration 2
		cell "$s" idle-2000 3 -scenario connect -clients 2000 -channels 10 -duration 20
		cell "$s" idle-10000 3 -scenario connect -clients 10000 -channels 10 -duration 20
		case $s in
		conference | ngircd)
			cell "$s" churn-200 3 -scenario churn -rate 200 -duration 10
			;;
		esac
		case $s in
		conference)
			cell "$s" cr500-fanout-2000 3 $FANOUT -rate 2000 -connect-rate 500
			for r in 1 2 3; do
				"$0" multi conference 2 9500 -channels 10 -duration 20 >>"$OUT/conference.multi-19000.txt" 2>>"$OUT/conference.multi-19000.err"
			done
			;;
		ngircd)
			for r in 2000 8000 10000 16000 20000 24000 28000; do
				cell "$s" "cr500-fanout-$r" 3 $FANOUT -rate "$r" -connect-rate 500
			done
			for r in 60000 80000 100000; do
				cell "$s" "cr500-direct-$r" 3 $DIRECT -rate "$r" -connect-rate 500
			done
			cell "$s" cr500-connect-2000 3 -scenario connect -clients 2000 -channels 10 -duration 2 -connect-rate 500
			cell "$s" cr500-idle-2000 3 -scenario connect -clients 2000 -channels 10 -duration 20 -connect-rate 500
			cell "$s" cr500-idle-10000 3 -scenario connect -clients 10000 -channels 10 -duration 20 -connect-rate 500
			;;
		esac
	done
}

# Series B: the key traffic cells, servers interleaved run by run (run 1 of
# each server, then run 2 of each...) so that the shared machine's noise
# falls on all of them alike; -connect-rate 500 for every server.
cmd_interleaved() {
	OUT=$1
	mkdir -p "$OUT"
	local servers=${SERVERS:-conference ngircd inspircd}
	local r i s
	for r in 2000 10000 16000 32000; do
		for i in 1 2 3; do
			for s in $servers; do cell "$s" "fanout-$r" 1 $FANOUT -rate "$r" -connect-rate 500; done
		done
	done
	for r in 60000 80000; do
		for i in 1 2 3; do
			for s in $servers; do cell "$s" "direct-$r" 1 $DIRECT -rate "$r" -connect-rate 500; done
		done
	done
}

case ${1:-} in
run) shift; cmd_run "$@" ;;
multi) shift; cmd_multi "$@" ;;
matrix) shift; cmd_matrix "$@" ;;
interleaved) shift; cmd_interleaved "$@" ;;
*) sed -n '2,/^set -u/p' "$0" | sed '$d'; exit 2 ;;
esac
