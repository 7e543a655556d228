# `up -d` / `up --wait`: the detached supervisor starts here, beside the CLI's
# Node instead of from it (issue 13.1: one Node's start-up overlaps the other's,
# and the supervisor is ready ~15 ms sooner). Sourced by bin/run.js's sh line,
# which then execs the CLI in this same process, so the supervisor is the CLI's
# own child, as when Node starts it (src/host/prespawn.ts). It starts in its own
# session with output to .sidecar/supervisor.log, and waits: no file written
# but a FIFO of ours, no lock taken. The CLI checks everything as ever, then
# sends its arguments through that FIFO, or kills it (src/host/shell-prespawn.ts);
# a supervisor whose CLI is gone ends by itself. It gets from the command line
# only a runtime name it knows. At any doubt this returns and Node starts the
# supervisor as before: not Linux, no setsid, no .sidecar/ of ours yet (a first
# `up`), a symlink in it, help asked for, a flag value that looks like a flag.

[ -r "${sidecar_sh%/*}/project.sh" ] || return
. "${sidecar_sh%/*}/project.sh"

sidecar_sh_up() {
  # Globbing off (bash takes SHELLOPTS from the environment) would hide every symlink.
  case $- in *f*) return ;; esac
  [ -r /proc/self/stat ] || return
  shift
  sd_file=${SIDECAR_FILE-sidecar.yaml} su_detached= su_runtime=${SIDECAR_RUNTIME-}
  # The words src/host/prespawn.ts's prespawnTarget reads, read the same way.
  while [ $# -gt 0 ]; do
    case $1 in
      --) break ;;
      -h | --help) return ;;
      -d | --detach | --wait) su_detached=1 ;;
      -f | --file)
        [ $# -ge 2 ] || return
        case $2 in -*) return ;; esac
        sd_file=$2
        shift
        ;;
      --file=*) sd_file=${1#--file=} ;;
      --runtime=*) su_runtime=${1#--runtime=} ;;
      --runtime)
        [ $# -ge 2 ] || return
        su_runtime=$2
        shift
        ;;
    esac
    shift
  done
  [ -n "$su_detached" ] || return
  case $su_runtime in process | docker) ;; *) su_runtime= ;; esac
  sidecar_sh_state || return
  su_log=$sd_state/supervisor.log
  [ -f "$su_log" ] && [ ! -L "$su_log" ] && [ -O "$su_log" ] || return
  command -v setsid >/dev/null 2>&1 || return
  case $sidecar_sh in /*) su_bin=${sidecar_sh%/*} ;; *) su_bin=$PWD/${sidecar_sh%/*} ;; esac
  # Named after this process (the CLI to be): no other `up` of ours uses the name.
  su_fifo=handover-$$
  # In the background, with the FIFO made there: the CLI's start waits for neither.
  # Files are made and opened from inside .sidecar/ once it is checked again as
  # the working directory (ours), so a .sidecar swapped for a link meanwhile, in
  # a directory others may write, leads nowhere: a shell's `>>` would follow a
  # link. The FIFO is opened read-write, so opening it never waits for a writer;
  # that directory is fd 4, where the supervisor removes the FIFO once read.
  # A CLI that does not need it sends SIGURG until it has ended, which may come
  # while mkfifo runs: this shell then ends after it, with its FIFO, rather than
  # leave mkfifo to init and the FIFO behind (a CI run found both). From `exec
  # setsid` on, SIGURG passes by (its default) until Node waits for it (shell-prespawn.ts).
  (
    su_end=
    trap 'su_end=1' URG TERM
    cd "$sd_state" || exit
    [ -O . ] && [ -f supervisor.log ] && [ ! -L supervisor.log ] && [ -z "$su_end" ] || exit
    mkfifo -m 600 "$su_fifo" 2>/dev/null || exit
    exec 3<>"$su_fifo" 4<. >>supervisor.log 2>&1 </dev/null
    [ -z "$su_end" ] && cd .. || {
      rm -f "$su_fifo"
      exit
    }
    exec setsid node "$su_bin/supervisor.js" --args-on-fd3 "--handover=$su_fifo" ${su_runtime:+"--runtime=$su_runtime"}
  ) &
  case $sd_dir in /*) su_at=$sd_dir ;; *) su_at=$PWD/$sd_dir ;; esac
  SIDECAR_PRESPAWNED="$! $su_at/.sidecar/$su_fifo"
  export SIDECAR_PRESPAWNED
}

sidecar_sh_up "$@"
