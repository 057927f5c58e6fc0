#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests that submit real job arrays
# (Docs/scale-out.md). Debian 12's slurm-wlm (22.05) and munge, started by hand (no systemd):
# munged as the munge user, then slurmctld and slurmd, with ProctrackType=proctrack/linuxproc,
# TaskPlugin=task/none, SlurmUser=root and no cgroup.conf.
#
#   scripts/slurm-cluster.sh start    install if absent, configure, start, wait until the node is idle
#   scripts/slurm-cluster.sh stop     stop the daemons this script started
#   scripts/slurm-cluster.sh status   sinfo
#
# Idempotent: a running cluster is left as it is. A slurm.conf this script did not write (a
# real cluster's) is never touched unless XP_SLURM_FORCE=1. Needs root for apt-get and the daemons.
set -euo pipefail

CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
MARK="# written by XperienceKit scripts/slurm-cluster.sh"
STATE=/var/spool/slurmctld
SPOOL=/var/spool/slurmd
LOGS=/var/log/slurm
WAIT_SECONDS=${XP_SLURM_WAIT:-60}

say() { echo "slurm-cluster: $*" >&2; }

install_packages() {
    local missing=()
    command -v slurmctld >/dev/null 2>&1 || missing+=(slurm-wlm)
    command -v munged >/dev/null 2>&1 || missing+=(munge)
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then say "need root to install ${missing[*]}"; exit 1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

write_conf() {
    if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
        if [ "${XP_SLURM_FORCE:-0}" != 1 ]; then
            say "$CONF exists and was not written by this script (a real cluster?); leaving it alone (XP_SLURM_FORCE=1 overrides)"
            return 1
        fi
        cp "$CONF" "$CONF.before-xperiencekit"
    fi
    local host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
    mkdir -p "$CONF_DIR" "$STATE" "$SPOOL" "$LOGS"
    cat > "$CONF" <<CONF
$MARK
ClusterName=xperiencekit
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$STATE
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
MaxArraySize=1001
MinJobAge=300
KillWait=5
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munge() {
    if pgrep -u munge -x munged >/dev/null 2>&1; then return 0; fi
    if [ ! -s /etc/munge/munge.key ]; then
        mkdir -p /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
    chmod 0700 /etc/munge /var/lib/munge /var/log/munge
    chmod 0400 /etc/munge/munge.key
    chmod 0755 /run/munge
    su -s /bin/sh munge -c "/usr/sbin/munged"
}

start() {
    install_packages
    if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then say "already running"; sinfo >&2; return 0; fi
    write_conf || exit 1
    start_munge
    pgrep -x slurmctld >/dev/null 2>&1 || slurmctld
    pgrep -x slurmd >/dev/null 2>&1 || slurmd
    local waited=0
    until sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; do
        if [ "$waited" -ge "$WAIT_SECONDS" ]; then
            say "the node is not idle after ${WAIT_SECONDS} s; see $LOGS/slurmctld.log and $LOGS/slurmd.log"
            sinfo >&2 || true
            exit 1
        fi
        # A node that came up DOWN after a restart is resumed once.
        if [ "$waited" -eq 5 ]; then scontrol update NodeName="$(hostname -s)" State=RESUME >/dev/null 2>&1 || true; fi
        sleep 1
        waited=$((waited + 1))
    done
    say "one-node cluster up:"
    sinfo >&2
}

stop() {
    if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then say "$CONF is not ours; not stopping anything"; exit 1; fi
    for pidfile in /run/slurmd.pid /run/slurmctld.pid; do
        if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
    done
    if [ -s /run/munge/munged.pid ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
    say "stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) sinfo ;;
    -h|--help|"") sed -n '2,13p' "$0"; [ -n "${1:-}" ]; exit $? ;;
    *) say "unknown command $1 (start, stop or status)"; exit 2 ;;
esac
