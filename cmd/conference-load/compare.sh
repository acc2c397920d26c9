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
#       The whole BENCHMARKS.md matrix, 3 fresh runs per cell, JSON lines
#       appended to OUTDIR/<server>.<cell>.jsonl.
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
	# Read RSS while all clients are held: the generators print "setup" progress
	# only without -quiet, so poll the server's established connections instead.
	local want=$((n * per)) est=0 peak=0
	for i in $(seq 600); do
		est=$(ss -Htn state established "sport = :${SRV_ADDR##*:}" | wc -l)
		[ "$est" -gt "$peak" ] && peak=$est
		[ "$est" -ge "$want" ] && break
		sleep 0.5
	done
	sleep 3 # registrations and JOINs finish after the TCP handshake
	after=$(vmrss "$SRV_PID")
	local rc=0
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	cat "$tmp"/*.json
	local reg
	reg=$(cat "$tmp"/*.json | jq -s 'map(.registered) | add')
	echo "multi: server=$name generators=$n per_gen=$per established_peak=$peak registered=$reg rss_before_kib=$before rss_held_kib=$after rss_per_client_kib=$(awk -v a="$after" -v b="$before" -v c="$want" 'BEGIN{printf "%.2f", (a-b)/c}')"
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

cmd_matrix() {
	OUT=$1
	mkdir -p "$OUT"
	local servers=${SERVERS:-conference ngircd inspircd}
	local s r
	for s in $servers; do
		local fan_rates dir_rates
		case $s in
		conference) fan_rates="2000 16000 32000 40000 48000 56000" ;;
		*) fan_rates="2000 8000 10000 16000 32000" ;;
		esac
		dir_rates="30000 60000 80000"
		for r in $fan_rates; do
			cell "$s" "fanout-$r" 3 -scenario fanout -clients 500 -channels 10 -senders 50 -rate "$r" -duration 10
		done
		for r in $dir_rates; do
			cell "$s" "direct-$r" 3 -scenario direct -clients 500 -rate "$r" -duration 10
		done
		cell "$s" connect-2000 3 -scenario connect -clients 2000 -channels 10 -duration 2
		cell "$s" idle-2000 3 -scenario connect -clients 2000 -channels 10 -duration 20
		case $s in
		conference | ngircd)
			cell "$s" idle-10000 3 -scenario connect -clients 10000 -channels 10 -duration 20
			cell "$s" churn-200 3 -scenario churn -rate 200 -duration 10
			;;
		esac
		if [ "$s" = conference ]; then
			for r in 1 2 3; do
				"$0" multi conference 2 9500 -channels 10 -duration 20 >>"$OUT/conference.multi-19000.txt" 2>>"$OUT/conference.multi-19000.err"
			done
		fi
	done
}

case ${1:-} in
run) shift; cmd_run "$@" ;;
multi) shift; cmd_multi "$@" ;;
matrix) shift; cmd_matrix "$@" ;;
*) sed -n '2,30p' "$0"; exit 2 ;;
esac
