#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fault gauntlet. Every case asserts the OCF code and reason of what
# Pacemaker would run next, and that nothing is left behind:
#  1. pmm-server and pmm-storage SIGKILLed at every system call of start and
#     stop after the dynamic loader (strace --inject=SYSCALL:signal=KILL:
#     when=N for each call of a clean run), then stop (and a killed stop's
#     stop again) and a fresh start, as Pacemaker would; pmm-storage with a
#     second node trying for the lease after each killed start
#  2. the podman API frozen (SIGSTOP) at each request of start, stop and
#     probe: the op returns in its timeout and names the runtime's API
#  3. a full /srv, a full state directory (HA_RSCTMP on a small tmpfs)
#  4. clocks stepped forward and back across lease renewals (libfaketime
#     for one agent run: the host clock is never touched)
#  5. a state directory missing or read-only
#  6. the file descriptor limit at its minimum
# Kill points: every system call after the loader (tests/lib/gauntlet.sh,
# kill_points); GAUNTLET_EVERY=0 one per call site instead (quicker);
# GAUNTLET_STEP=N only 1 in N of them (a quick look). GAUNTLET_ONLY="1 4"
# runs those sections only.
. "$(dirname "$0")/common.sh"
. "$TOP/tests/lib/loopdev.sh"
. "$TOP/tests/lib/gauntlet.sh"
STEP=${GAUNTLET_STEP:-1}
EVERY=
[[ ${GAUNTLET_EVERY:-1} == 1 ]] && EVERY=every
WHAT=${EVERY:+"every call"}
WHAT=${WHAT:-"every call site"}
((STEP > 1)) && WHAT+=", 1 in $STEP"
TAG=g$$
NS2=
T_BEGIN=$(now_ms)

gauntlet_cleanup() {
    podman rm -f "$CT" >/dev/null 2>&1
    [[ -n ${API_PID:-} ]] && kill -CONT "$API_PID" 2>/dev/null
    [[ -n ${PROXY:-} ]] && kill "$PROXY" 2>/dev/null
    [[ -n ${SK:-} ]] && kill "$SK" 2>/dev/null
    [[ -n $NS2 ]] && kill -KILL "$NS2" 2>/dev/null && wait "$NS2" 2>/dev/null
    [[ ${KEEP_API:-0} == 1 ]] || podman_api_stop "$SOCK" >/dev/null 2>&1
    loop_cleanup
}
trap gauntlet_cleanup EXIT
setup_podman || { fail "podman set-up"; exit 1; }
API_PID=$(cat "$SOCK.pid")
printf 'STUB_READY_DELAY=0\n' >"$WORK/pmm.env"
RSC=$WORK/rsctmp
SRV_ARGS=("${BASE[@]}" HA_GAUNTLET="${TAG}s")
: >"$WORK/cases"
# GAUNTLET_ONLY="1 4": those sections only
want() { [[ -z ${GAUNTLET_ONLY:-} || " $GAUNTLET_ONLY " == *" $1 "* ]]; }
# the cases, by kind (in a file: the pmm-server kill loop runs in a subshell)
counted() { echo "$1" >>"$WORK/cases"; }
srv() { ACT="$1"; ra pmm-server "$1" "${SRV_ARGS[@]}" "${@:2}"; }
no_strays() { [[ -z $(strays "$1") ]]; }

# ---- what is left behind ---------------------------------------------------
ct_running() {
    curl -s -m 5 --unix-socket "$SOCK" "http://d/v4.0.0/libpod/containers/$CT/json" |
        grep -q '"Running": *true'
}
# left_server: what a stopped pmm-server left, or nothing
left_server() {
    local left=""
    ct_running && left+=" a running container"
    [[ -e $RSC/pmm-server-pmm.state ]] && left+=" its state file"
    compgen -G "$RSC/*.tmp" >/dev/null && left+=" $(cd "$RSC" && echo *.tmp)"
    wait_until 3 no_strays "${TAG}s" || left+=" processes $(strays "${TAG}s")"
    echo "$left"
}

# case_end NAME PROBLEMS: one check for a case
case_end() {
    if [[ -z $2 ]]; then pass "$1"; else fail "$1:$2"; fi
}
# rc_is WANT [REASON-SUBSTRING]: what is wrong with the last ra call
rc_is() {
    if [[ $RC != "$1" ]]; then
        echo " $ACT rc $RC, expected $1 (${REASON:-no reason});"
    elif ((${#REASON} > REASON_KEPT)); then
        echo " $ACT reason over $REASON_KEPT characters;"
    elif [[ -n ${2:-} && $REASON != *"$2"* ]]; then
        echo " $ACT reason '$REASON' lacks '$2';"
    fi
}

# ============================================================================
# 1a. pmm-server killed at every system call of start and stop (beside 1b:
#     it waits on podman, 1b on the block layer)
# ============================================================================
server_kills() {
KSFX=-srv
trace_clean "$WORK/srv-start.tr" pmm-server start "${SRV_ARGS[@]}"
expect "pmm-server start under strace -k" 0 ""
trace_clean "$WORK/srv-stop.tr" pmm-server stop "${SRV_ARGS[@]}"
expect "pmm-server stop under strace -k" 0 ""
mapfile -t KS < <(kill_points "$WORK/srv-start.tr" "$EVERY" | awk -v s="$STEP" '(NR - 1) % s == 0')
mapfile -t KT < <(kill_points "$WORK/srv-stop.tr" "$EVERY" | awk -v s="$STEP" '(NR - 1) % s == 0')
note "pmm-server start: $(loader_calls "$WORK/srv-start.tr") system calls of the loader, ${#KS[@]} kill points after it" \
    "($WHAT); stop: $(loader_calls "$WORK/srv-stop.tr") and ${#KT[@]}"
n=${#KS[@]}
((${#KT[@]} > n)) && n=${#KT[@]}
killed=0
t0=$(now_ms)
for ((i = 0; i < n; i++)); do
    if ((i < ${#KS[@]})); then
        read -r sc k <<<"${KS[i]}"
        AGENT_DIR=$(killed_at "$sc" "$k") srv start
        [[ $RC == 137 ]] && killed=$((killed + 1))
        why=""
        srv stop
        why+=$(rc_is 0)
        why+=$(left_server)
        srv start
        why+=$(rc_is 0)
        [[ -e $RSC/pmm-server-pmm.state ]] || why+=" the retried start recorded no state;"
        case_end "pmm-server start killed at $sc #$k: stop 0, nothing left, start again 0" "$why"
        counted "pmm-server start SIGKILL"
    else
        srv start
    fi
    if ((i < ${#KT[@]})); then
        read -r sc k <<<"${KT[i]}"
        AGENT_DIR=$(killed_at "$sc" "$k") srv stop
        [[ $RC == 137 ]] && killed=$((killed + 1))
        why=""
        srv stop
        why+=$(rc_is 0)
        why+=$(left_server)
        case_end "pmm-server stop killed at $sc #$k: stop again 0, nothing left" "$why"
        counted "pmm-server stop SIGKILL"
    else
        srv stop
    fi
done
note "pmm-server: $((${#KS[@]} + ${#KT[@]})) kill points, $killed runs died of the SIGKILL" \
    "(the rest ended before their call came), $((($(now_ms) - t0) / 1000)) s"
}
SK=
want 1 && { server_kills >"$WORK/server-kills.log" 2>&1 & SK=$!; }

# ============================================================================
# 1b. pmm-storage killed at every system call of start and stop; after each
#     killed start, node2 (its own mount namespace and node name) tries
# ============================================================================
unshare -m --propagation private sleep 100000 &
NS2=$!
sleep 0.2
wrap "$WORK/node2" nsenter -t "$NS2" -m --
mkloop st 64 && mkfs.ext4 -q "$LOOP" 63M || { fail "loop set-up"; exit 1; }
DEV=$LOOP
SSRV=$WORK/st-srv
ST1=(device="$DEV" fstype=ext4 directory="$SSRV" lease_timeout=4s term_grace=1s
     HA_RSCTMP="$WORK/st-rsc1" OCF_RESKEY_CRM_meta_on_node=node1 HA_GAUNTLET="${TAG}d")
ST2=(device="$DEV" fstype=ext4 directory="$SSRV" lease_timeout=4s term_grace=1s
     HA_RSCTMP="$WORK/st-rsc2" OCF_RESKEY_CRM_meta_on_node=node2 HA_GAUNTLET="${TAG}d")
n1() { ACT="node1 $1"; ra pmm-storage "$1" "${ST1[@]}" "${@:2}"; }
n2() { ACT="node2 $1"; AGENT_DIR=${N2_DIR:-$WORK/node2} ra pmm-storage "$1" "${ST2[@]}" "${@:2}"; }
mounted1() { awk -v d="$SSRV" '$5 == d {f = 1} END {exit !f}' /proc/self/mountinfo; }
mounted2() { awk -v d="$SSRV" '$5 == d {f = 1} END {exit !f}' "/proc/$NS2/mountinfo"; }
# lease_ours [live]: the record names node1, not released (and, with
# live, renewed within its duration: no monitor renews it here)
lease_ours() {
    local h f age dur rest
    read -r h f age dur rest <<<"$(lease_read "$DEV")"
    [[ $h == node1 && $f == 0 ]] && { [[ ${1:-} != live ]] || ((age < dur)); }
}
# left_storage: what a stopped node1 left, or nothing
left_storage() {
    local left=""
    mounted1 && left+=" the mount"
    [[ -e $WORK/st-rsc1/pmm-storage-pmm.state ]] && left+=" its state file"
    compgen -G "$WORK/st-rsc1/*.tmp" >/dev/null && left+=" $(cd "$WORK/st-rsc1" && echo *.tmp)"
    lease_ours && left+=" the lease held: $(lease_read "$DEV")"
    wait_until 3 no_strays "${TAG}d" || left+=" processes $(strays "${TAG}d")"
    echo "$left"
}

if want 1; then
trace_clean "$WORK/st-start.tr" pmm-storage start "${ST1[@]}"
expect "pmm-storage start under strace -k" 0 ""
trace_clean "$WORK/st-stop.tr" pmm-storage stop "${ST1[@]}"
expect "pmm-storage stop under strace -k" 0 ""
mapfile -t KS < <(kill_points "$WORK/st-start.tr" "$EVERY" | awk -v s="$STEP" '(NR - 1) % s == 0')
mapfile -t KT < <(kill_points "$WORK/st-stop.tr" "$EVERY" | awk -v s="$STEP" '(NR - 1) % s == 0')
note "pmm-storage start: $(loader_calls "$WORK/st-start.tr") system calls of the loader, ${#KS[@]} kill points after it" \
    "($WHAT); stop: $(loader_calls "$WORK/st-stop.tr") and ${#KT[@]}"
n=${#KS[@]}
((${#KT[@]} > n)) && n=${#KT[@]}
killed=0
twice=0
t0=$(now_ms)
for ((i = 0; i < n; i++)); do
    if ((i < ${#KS[@]})); then
        read -r sc k <<<"${KS[i]}"
        AGENT_DIR=$(killed_at "$sc" "$k") n1 start
        [[ $RC == 137 ]] && killed=$((killed + 1))
        why=""
        if mounted1 && ! lease_ours live; then
            why+=" mounted on node1 without node1's live lease ($(lease_read "$DEV"));"
        fi
        m1=0
        mounted1 && m1=1
        n2 start OCF_RESKEY_CRM_meta_timeout=2000
        read -r h rest <<<"$(lease_read "$DEV")"
        [[ $m1 == 1 && $h != node1 ]] && { why+=" the lease went to $h while node1 had it mounted;"; twice=$((twice + 1)); }
        if [[ $RC == 0 ]]; then
            [[ $m1 == 1 ]] && { why+=" node2 got the lease while node1 had it mounted;"; twice=$((twice + 1)); }
            n2 stop
            why+=$(rc_is 0)
        else
            why+=$(rc_is 1 "holds the lease")
        fi
        mounted2 && why+=" still mounted on node2;"
        n1 stop
        why+=$(rc_is 0)
        why+=$(left_storage)
        n1 start
        why+=$(rc_is 0)
        mounted1 || why+=" the retried start did not mount;"
        case_end "pmm-storage start killed at $sc #$k: node2 refused or took a free lease, stop 0, nothing left, start again 0" "$why"
        counted "pmm-storage start SIGKILL"
    else
        n1 start
    fi
    if ((i < ${#KT[@]})); then
        read -r sc k <<<"${KT[i]}"
        AGENT_DIR=$(killed_at "$sc" "$k") n1 stop
        [[ $RC == 137 ]] && killed=$((killed + 1))
        why=""
        if mounted1 && ! lease_ours; then
            why+=" mounted on node1 without node1's lease ($(lease_read "$DEV"));"
        fi
        n1 stop
        why+=$(rc_is 0)
        why+=$(left_storage)
        case_end "pmm-storage stop killed at $sc #$k: stop again 0, nothing left" "$why"
        counted "pmm-storage stop SIGKILL"
    else
        n1 stop
    fi
done
note "pmm-storage: $((${#KS[@]} + ${#KT[@]})) kill points, $killed runs died of the SIGKILL," \
    "node2 given the lease while node1 had it mounted: $twice times, $((($(now_ms) - t0) / 1000)) s"
fi
[[ -n $SK ]] && wait "$SK" && cat "$WORK/server-kills.log"

# ============================================================================
# 2. the podman API frozen at each request of start, stop and probe
# ============================================================================
if want 2; then
PSOCK=$WORK/api-proxy.sock
FZ=("${SRV_ARGS[@]/#runtime_socket=*/runtime_socket=$PSOCK}")
TMO=4000
srv stop
# how many requests each makes, unfrozen
proxy_start
srv start "${FZ[@]}"
expect "start through the counting proxy" 0 ""
mapfile -t RQ_START <"$WORK/proxy.log"
: >"$WORK/proxy.log"
srv stop "${FZ[@]}"
expect "stop through the counting proxy" 0 ""
mapfile -t RQ_STOP <"$WORK/proxy.log"
: >"$WORK/proxy.log"
srv monitor "${FZ[@]}"
expect "probe through the counting proxy" 7 ""
mapfile -t RQ_PROBE <"$WORK/proxy.log"
proxy_stop
note "API requests: start ${#RQ_START[@]}, stop ${#RQ_STOP[@]}, probe ${#RQ_PROBE[@]}"

# timed OP ARGS...: ra with the time it took in DT (ms)
# frozen K: what is wrong when the API service was not frozen at request K
frozen() {
    [[ $(awk '{print $3}' "/proc/$API_PID/stat" 2>/dev/null) == T ]] ||
        echo " the API was never frozen: $(wc -l <"$WORK/proxy.log") requests came, not $1;"
}
timed() {
    local t
    t=$(now_ms)
    "$@"
    DT=$(($(now_ms) - t))
}
in_time() { ((DT < TMO)) || echo " $ACT took $DT ms, its timeout is $TMO ms;"; }

for ((k = 1; k <= ${#RQ_START[@]}; k++)); do
    rq=${RQ_START[k - 1]#* }
    proxy_start "$k"
    timed srv start "${FZ[@]}" OCF_RESKEY_CRM_meta_timeout=$TMO
    why=$(rc_is 1 "API")$(in_time)$(frozen "$k")
    proxy_stop
    sleep 0.3 # the thawed service runs what it was sent
    srv stop
    why+=$(rc_is 0)
    why+=$(left_server)
    sleep 1
    ct_running && why+=" a container runs 1 s after the stop;"
    case_end "API frozen at start's request $k ($rq): start 1 in time naming the API, then stop 0, nothing left" "$why"
    counted "API frozen"
done
for ((k = 1; k <= ${#RQ_STOP[@]}; k++)); do
    rq=${RQ_STOP[k - 1]#* }
    srv start
    why=$(rc_is 0)
    proxy_start "$k"
    timed srv stop "${FZ[@]}" OCF_RESKEY_CRM_meta_timeout=$TMO
    # the state file names the container's init: the kernel saw it exit
    why+=$(rc_is 0)$(in_time)$(frozen "$k")
    proxy_stop
    [[ $RC != 0 ]] && srv stop
    why+=$(left_server)
    case_end "API frozen at stop's request $k ($rq): stop 0 in time (the kernel saw the container exit)" "$why"
    counted "API frozen"
done
for running in no yes; do
    for ((k = 1; k <= ${#RQ_PROBE[@]}; k++)); do
        rq=${RQ_PROBE[k - 1]#* }
        why=""
        if [[ $running == yes ]]; then
            srv start
            why+=$(rc_is 0)
            rm -f "$RSC/pmm-server-pmm.state" # a probe after a reboot of /run
        fi
        proxy_start "$k"
        timed srv monitor "${FZ[@]}" OCF_RESKEY_CRM_meta_timeout=$TMO
        why+=$(rc_is 1 "API")$(in_time)$(frozen "$k")
        proxy_stop
        srv stop
        why+=$(rc_is 0)$(left_server)
        case_end "API frozen at the probe's request $k ($rq), container running: $running: probe 1 in time naming the API" "$why"
        counted "API frozen"
    done
done
srv start
expect "start (for the recurring monitor with the API frozen)" 0 ""
proxy_start 1
curl -s -m 1 --unix-socket "$PSOCK" http://d/_ping >/dev/null # freezes it
timed srv monitor "${FZ[@]}" OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_CRM_meta_timeout=$TMO OCF_CHECK_LEVEL=10
expect "recurring monitor depth 10, API frozen: the kernel and readyz only" 0 ""
((DT < 1000)) && pass "it took $DT ms" || fail "the recurring monitor took $DT ms with the API frozen"
counted "API frozen"
proxy_stop
srv stop
expect "stop" 0 ""

fi

# ============================================================================
# 3. a full disk: /srv, the storage filesystem, the state directory
# ============================================================================
if want 3; then
# fill DIR: writes until the filesystem under DIR has no block left
# (again after a sync: ext4 gives back what it held for delayed allocation)
fill() {
    local i
    for i in 1 2 3; do
        dd if=/dev/zero of="$1/.gauntlet-fill" bs=4k oflag=append conv=notrunc status=none 2>/dev/null
        sync -f "$1"
    done
}
mkdir -p "$WORK/fullsrv" "$WORK/fullrsc"
mount -t tmpfs -o size=2m tmpfs "$WORK/fullsrv" && fill "$WORK/fullsrv"
mount -t tmpfs -o size=256k tmpfs "$WORK/fullrsc" && fill "$WORK/fullrsc"

srv start volume="$WORK/fullsrv"
expect_one "pmm-server start with /srv full" 1 "space|full"
counted "disk full"
srv stop volume="$WORK/fullsrv"
expect "pmm-server stop with /srv full" 0 ""
counted "disk full"
[[ -z $(left_server) ]] && pass "nothing left after the full-/srv start" || fail "left:$(left_server)"

srv start HA_RSCTMP="$WORK/fullrsc"
expect "pmm-server start with the state directory full" 1 "cannot record the container's state in $WORK/fullrsc"
counted "disk full"
srv stop HA_RSCTMP="$WORK/fullrsc"
expect "pmm-server stop with the state directory full" 0 ""
counted "disk full"
compgen -G "$WORK/fullrsc/*.tmp" >/dev/null && fail "a *.tmp state file is left in the full state directory" ||
    pass "no *.tmp left in the full state directory"
ct_running && fail "a container runs after the stop" || pass "no container runs after the stop"

n1 start
expect "pmm-storage start (to fill its filesystem)" 0 ""
fill "$SSRV"
n1 monitor OCF_RESKEY_CRM_meta_interval=600 OCF_CHECK_LEVEL=20
expect_one "pmm-storage monitor depth 20 on a full filesystem" 1 "space|full"
counted "disk full"
n1 monitor OCF_RESKEY_CRM_meta_interval=600 OCF_CHECK_LEVEL=10
expect "pmm-storage monitor depth 10 on a full filesystem (lease renewed)" 0 ""
counted "disk full"
rm -f "$SSRV/.gauntlet-fill"
n1 stop
expect "pmm-storage stop after the filesystem was full" 0 ""
counted "disk full"
n1 start HA_RSCTMP="$WORK/fullrsc"
expect "pmm-storage start with the state directory full (monitors look the device up)" 0 ""
counted "disk full"
n1 monitor HA_RSCTMP="$WORK/fullrsc" OCF_RESKEY_CRM_meta_interval=600 OCF_CHECK_LEVEL=10
expect "pmm-storage monitor with the state directory full" 0 ""
counted "disk full"
n1 stop HA_RSCTMP="$WORK/fullrsc"
expect "pmm-storage stop with the state directory full" 0 ""
counted "disk full"
why=$(left_storage)
compgen -G "$WORK/fullrsc/*.tmp" >/dev/null && why+=" *.tmp in the state directory"
[[ -z $why ]] && pass "pmm-storage left nothing with its state directory full" || fail "pmm-storage left:$why"
umount "$WORK/fullsrv" "$WORK/fullrsc"

fi

# ============================================================================
# 4. clocks stepped forward and back across lease renewals (libfaketime)
# ============================================================================
if want 4 && [[ ! -e $FAKETIME_LIB ]]; then
    fail "clock cases: no $FAKETIME_LIB (apt-get install faketime)"
elif want 4; then
# clock N OFFSET: AGENT_DIR for node N's agent with its clock OFFSET seconds
# off (FAKETIME, the monotonic clock left alone)
clock() {
    local d=$WORK/clock$1${2/+/p}
    if [[ $1 == 1 ]]; then
        wrap "$d" env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$2" FAKETIME_DONT_FAKE_MONOTONIC=1
    else
        wrap "$d" nsenter -t "$NS2" -m -- env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$2" FAKETIME_DONT_FAKE_MONOTONIC=1
    fi
    echo "$d"
}
LT=(lease_timeout=4s)
REC=(OCF_RESKEY_CRM_meta_interval=1000)
# kept NAME: node1 has /srv mounted and the lease still names it. Both
# "nodes" share this host, where the kernel refuses node2 the exclusive open
# of a device mounted in node1's namespace: the lease is the only guard
# between two hosts, so a lease that went to node2 is the failure.
kept() {
    local h rest
    read -r h rest <<<"$(lease_read "$DEV")"
    if mounted1 && mounted2; then
        fail "$1: both nodes have it mounted"
    elif mounted1 && [[ $h != node1 ]]; then
        fail "$1: the lease went to $h while node1 has it mounted ($h $rest)"
    elif ! mounted1; then
        fail "$1: node1 lost its mount"
    else
        pass "$1: node1 keeps the lease and the mount"
    fi
    counted "clock"
}
# fresh: node1 alone holds the lease, just started with the true clock
fresh() {
    mounted2 && n2 stop "${LT[@]}"
    n1 stop "${LT[@]}"
    n1 start "${LT[@]}"
    expect "node1 start (true clock)" 0 ""
}

# the holder's clock stepped back 30 s for one renewal: to the others the
# lease looks 30 s old
fresh
AGENT_DIR=$(clock 1 -30) n1 monitor "${LT[@]}" "${REC[@]}"
note "node1's renewal with its clock 30 s back: rc $RC ${REASON:+($REASON)}; lease: $(lease_read "$DEV")"
n2 start "${LT[@]}" OCF_RESKEY_CRM_meta_timeout=3000
# the record looks expired: refused, since a lease period of silence was
# not watched (3 s timeout); the reason names the holder
expect "node2 start after node1 renewed with its clock stepped back 30 s" 1 "node node1"
counted "clock"
kept "holder's clock stepped back 30 s"

# forward 30 s for a renewal, then back to the true time
fresh
AGENT_DIR=$(clock 1 +30) n1 monitor "${LT[@]}" "${REC[@]}"
note "node1's renewal with its clock 30 s ahead: rc $RC ${REASON:+($REASON)}"
n1 monitor "${LT[@]}" "${REC[@]}"
note "node1's next renewal with its clock stepped back to true: rc $RC ${REASON:+($REASON)}"
n2 start "${LT[@]}" OCF_RESKEY_CRM_meta_timeout=3000
expect "node2 start after node1's clock stepped forward and back" 1 "holds the lease"
counted "clock"
kept "holder's clock stepped forward and back"

# a taker whose clock is 40 s ahead, while node1 renews every second
fresh
(for _ in $(seq 1 12); do n1 monitor "${LT[@]}" "${REC[@]}"; sleep 1; done) &
renewer=$!
N2_DIR=$(clock 2 +40) n2 start "${LT[@]}" OCF_RESKEY_CRM_meta_timeout=10000
expect "node2 start with its clock 40 s ahead while node1 renews" 1 "holds the lease"
counted "clock"
kept "taker's clock 40 s ahead"
wait "$renewer"

# a taker whose clock is 40 s behind
fresh
N2_DIR=$(clock 2 -40) n2 start "${LT[@]}" OCF_RESKEY_CRM_meta_timeout=3000
expect "node2 start with its clock 40 s behind" 1 "holds the lease"
counted "clock"
kept "taker's clock 40 s behind"

# the holder's clock 40 s ahead: its lease looks live 40 s longer, until
# it releases it
mounted2 && n2 stop "${LT[@]}"
n1 stop "${LT[@]}"
AGENT_DIR=$(clock 1 +40) n1 start "${LT[@]}"
expect "node1 start with its clock 40 s ahead" 0 ""
n2 start "${LT[@]}" OCF_RESKEY_CRM_meta_timeout=3000
expect "node2 start while node1 (clock 40 s ahead) holds the lease" 1 "holds the lease"
counted "clock"
kept "holder's clock 40 s ahead"
AGENT_DIR=$(clock 1 +40) n1 stop "${LT[@]}"
expect "node1 stop (clock 40 s ahead) releases the lease" 0 ""
counted "clock"
N2_DIR=$(clock 2 -40) n2 start "${LT[@]}"
expect "node2 start (clock 40 s behind) after the release: at once" 0 ""
counted "clock"
n2 stop "${LT[@]}"
expect "node2 stop" 0 ""
mounted1 && n1 stop "${LT[@]}"

fi

# ============================================================================
# 5. a state directory missing or read-only
# ============================================================================
if want 5; then
mkdir -p "$WORK/rorsc"
mount -t tmpfs -o ro,size=64k tmpfs "$WORK/rorsc"
srv monitor HA_RSCTMP="$WORK/gone/rsc"
expect "pmm-server probe, state directory missing" 7 ""
counted "state directory"
srv start HA_RSCTMP="$WORK/gone"
expect "pmm-server start, state directory missing (made)" 0 ""
counted "state directory"
srv monitor HA_RSCTMP="$WORK/gone" OCF_RESKEY_CRM_meta_interval=10000
expect "pmm-server monitor in the made state directory" 0 ""
counted "state directory"
srv stop HA_RSCTMP="$WORK/gone"
expect "pmm-server stop" 0 ""
rm -rf "$WORK/gone"
srv stop HA_RSCTMP="$WORK/gone"
expect "pmm-server stop, state directory missing" 0 ""
counted "state directory"
srv start HA_RSCTMP="$WORK/rorsc"
expect "pmm-server start, state directory read-only" 1 "cannot record the container's state in $WORK/rorsc"
counted "state directory"
srv stop HA_RSCTMP="$WORK/rorsc"
expect "pmm-server stop after it, state directory read-only" 0 ""
counted "state directory"
srv monitor HA_RSCTMP="$WORK/rorsc"
expect "pmm-server probe, state directory read-only" 7 ""
counted "state directory"
[[ -z $(left_server) ]] && pass "nothing left" || fail "left:$(left_server)"
n1 monitor HA_RSCTMP="$WORK/gone"
expect "pmm-storage probe, state directory missing" 7 ""
counted "state directory"
n1 start HA_RSCTMP="$WORK/gone"
expect "pmm-storage start, state directory missing (made)" 0 ""
counted "state directory"
[[ -e $WORK/gone/pmm-storage-pmm.state ]] && pass "the state file is in the made directory" ||
    fail "no state file in the made directory"
n1 stop HA_RSCTMP="$WORK/gone"
expect "pmm-storage stop" 0 ""
n1 start HA_RSCTMP="$WORK/rorsc"
expect "pmm-storage start, state directory read-only (monitors look the device up)" 0 ""
counted "state directory"
n1 monitor HA_RSCTMP="$WORK/rorsc" OCF_RESKEY_CRM_meta_interval=600 OCF_CHECK_LEVEL=10
expect "pmm-storage monitor, state directory read-only" 0 ""
counted "state directory"
n1 stop HA_RSCTMP="$WORK/rorsc"
expect "pmm-storage stop, state directory read-only" 0 ""
counted "state directory"
why=$(left_storage)
[[ -z $why ]] && pass "pmm-storage left nothing" || fail "pmm-storage left:$why"
umount "$WORK/rorsc"

fi

# ============================================================================
# 6. the file descriptor limit at its minimum
# ============================================================================
if want 6; then
# fd_ok NAME [RC]: the op worked (rc 0, or RC), or failed saying that the
# limit is the cause
fd_ok() {
    if [[ $RC == 1 && $REASON == *"open files"* ]]; then
        expect "$1: fails, naming the limit" 1 "open files"
    else
        expect "$1" "${2:-0}" ""
    fi
    counted "fd limit"
}
# below 5 the dynamic loader itself cannot start the agent (exit 127)
FDT=(OCF_RESKEY_CRM_meta_timeout=10000)
for lim in 5 6 7 10 16 32; do
    fdl=$WORK/nofile$lim
    wrap "$fdl" prlimit --nofile="$lim:$lim" --
    AGENT_DIR=$fdl srv start "${FDT[@]}"
    fd_ok "pmm-server start, nofile $lim"
    AGENT_DIR=$fdl srv monitor OCF_RESKEY_CRM_meta_interval=10000 OCF_CHECK_LEVEL=10 "${FDT[@]}"
    up=7
    ct_running && up=0
    fd_ok "pmm-server monitor depth 10, nofile $lim" "$up"
    AGENT_DIR=$fdl srv stop "${FDT[@]}"
    fd_ok "pmm-server stop, nofile $lim"
    [[ $RC == 0 ]] || srv stop
    why=$(left_server)
    [[ -z $why ]] || fail "pmm-server left at nofile $lim:$why"
    AGENT_DIR=$fdl n1 start "${FDT[@]}"
    fd_ok "pmm-storage start, nofile $lim"
    AGENT_DIR=$fdl n1 monitor OCF_RESKEY_CRM_meta_interval=600 OCF_CHECK_LEVEL=20 "${FDT[@]}"
    up=7
    mounted1 && up=0
    fd_ok "pmm-storage monitor depth 20, nofile $lim" "$up"
    AGENT_DIR=$fdl n1 stop "${FDT[@]}"
    fd_ok "pmm-storage stop, nofile $lim"
    [[ $RC == 0 ]] || n1 stop
    why=$(left_storage)
    [[ -z $why ]] || fail "pmm-storage left at nofile $lim:$why"
done
fi

# ============================================================================
sort "$WORK/cases" | uniq -c | while read -r n c; do note "$c: $n cases"; done
note "fault gauntlet: $(wc -l <"$WORK/cases") cases in $((($(now_ms) - T_BEGIN) / 1000)) s"
