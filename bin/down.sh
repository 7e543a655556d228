# `sidecar down` without starting Node (issue 13.1, 13.2: Node's start and our
# bundle are ~40 ms of a `down` that otherwise waits only for the stop itself).
# Sourced by bin/run.js's sh line. It handles the common case alone: a plain
# `down [-f FILE | --file FILE | --file=FILE] [--volumes]` whose project has a
# detached supervisor of ours that is alive: the pid of .sidecar/supervisor.json
# (a file of ours, not a link) with its start time and boot id, owned by us.
# It leaves that supervisor a request in .sidecar/down.request (read by
# src/host/down-request.ts), sends it SIGTERM, waits for it to exit and, once the
# supervisor has forgotten the stack (state.json gone, as `down` leaves it), says
# what `down` says. At any doubt it returns, and Node runs `down` as ever: another
# flag or form (--json, --timeout, a repeated flag), a symlink in .sidecar/ (which
# Node refuses, issue 9.7), a record it cannot read, a supervisor that is slow.
# Nothing from the manifest or the record reaches a command line unchecked.

[ -r "${sidecar_sh%/*}/project.sh" ] || return
. "${sidecar_sh%/*}/project.sh"

sidecar_sh_down() {
  # Globbing off (bash takes SHELLOPTS from the environment) would hide every symlink below.
  case $- in *f*) return ;; esac
  shift
  sd_file=${SIDECAR_FILE-sidecar.yaml} sd_file_set= sd_volumes=0
  while [ $# -gt 0 ]; do
    case $1 in
      -f | --file)
        [ -z "$sd_file_set" ] && [ $# -ge 2 ] || return
        sd_file=$2 sd_file_set=1
        shift
        ;;
      --file=*)
        [ -z "$sd_file_set" ] || return
        sd_file=${1#--file=} sd_file_set=1
        ;;
      --volumes)
        [ "$sd_volumes" = 0 ] || return
        sd_volumes=1
        ;;
      *) return ;;
    esac
    shift
  done
  sidecar_sh_state || return
  sidecar_sh_record || return
  [ "$sd_detached" = true ] || return
  sidecar_sh_alive "$sd_pid" "$sd_start" || return
  # A record of another boot, or of none known, names no process of ours.
  { read -r sd_now </proc/sys/kernel/random/boot_id; } 2>/dev/null || return
  [ -n "$sd_boot" ] && [ "$sd_now" = "$sd_boot" ] || return
  [ -O "/proc/$sd_pid" ] || return
  sd_request=$sd_state/down.request
  if [ -e "$sd_request" ] || [ -L "$sd_request" ]; then return; fi
  # Nothing is there (checked above), and noclobber makes the shell create the file
  # with O_EXCL. (For a name that exists and is not a regular file, noclobber opens
  # it as it is: only another process of ours, racing this one in our 0700
  # .sidecar, could put one there between the check and the write.)
  set -C
  { printf 'sidecar-down %s %s %s\n' "$sd_pid" "$sd_start" "$sd_volumes" >"$sd_request"; } 2>/dev/null
  sd_written=$?
  set +C
  [ "$sd_written" = 0 ] || return
  if ! kill -TERM "$sd_pid" 2>/dev/null; then
    rm -f "$sd_request"
    return
  fi
  sd_pid_was=$sd_pid sd_name=$sd_project
  # Every wait has a deadline, in time (/proc/uptime, read without a fork): past 5 s
  # Node asks the supervisor and waits on. A supervisor that handles signals takes
  # the request at once; one that has not within 0.5 s is stopped or hung, and Node
  # finds out which (and kills a hung one) without waiting for the rest.
  sidecar_sh_uptime || sd_cs=
  sd_began=$sd_cs
  while sidecar_sh_alive "$sd_pid_was" "$sd_start"; do
    if [ -z "$sd_began" ] || ! sidecar_sh_uptime || [ $((sd_cs - sd_began)) -gt 500 ] || { [ $((sd_cs - sd_began)) -ge 50 ] && [ -e "$sd_request" ]; } || ! sleep 0.002 2>/dev/null; then
      rm -f "$sd_request"
      return
    fi
  done
  # It forgot the stack (src/host/supervisor-main.ts) only after a clean stop; else
  # Node tells what is left, unless a new stack already holds the project.
  if [ -e "$sd_state/state.json" ] || [ -L "$sd_state/state.json" ]; then
    sidecar_sh_record && [ "$sd_pid" != "$sd_pid_was" ] || return
  fi
  # With --volumes, the named volumes it removed, as Node's `down` says them.
  sd_removed=
  if [ "$sd_volumes" = 1 ]; then sidecar_sh_removed || sd_removed=; fi
  printf 'stopped %s%s\n' "$sd_name" "$sd_removed"
  exit 0
}

# The volumes the stopped supervisor removed, from the last-run.json it wrote
# (src/host/state-file.ts: `volumesRemoved`, an array, one name a line) into
# sd_removed as src/stack/down-report.ts words it; fails on anything else.
sidecar_sh_removed() {
  sd_last=$sd_state/last-run.json
  [ -f "$sd_last" ] && [ ! -L "$sd_last" ] && [ -O "$sd_last" ] || return 1
  sd_in= sd_of= sd_names= sd_count=0
  while IFS= read -r sd_line; do
    case $sd_in$sd_line in
      '  "project": "'*) sd_of=${sd_line#*\": \"} sd_of=${sd_of%,} sd_of=${sd_of%\"} ;;
      '  "volumesRemoved": []'*) sd_in=done ;;
      '  "volumesRemoved": [') sd_in=1 ;;
      1'  ]'*) sd_in=done ;;
      1'    "'*)
        sd_v=${sd_line#    \"} sd_v=${sd_v%,} sd_v=${sd_v%\"}
        # A volume's name (the manifest's schema): printed as it is.
        case $sd_v in '' | *[!a-zA-Z0-9_.-]*) return 1 ;; esac
        sd_names=${sd_names:+$sd_names, }$sd_v sd_count=$((sd_count + 1))
        ;;
      1*) return 1 ;;
    esac
  done <"$sd_last" || return 1
  [ "$sd_in" = done ] && [ "$sd_of" = "$sd_name" ] || return 1
  case $sd_count in
    0) sd_removed='; no named volume to remove' ;;
    1) sd_removed="; removed 1 volume: $sd_names" ;;
    *) sd_removed="; removed $sd_count volumes: $sd_names" ;;
  esac
}

# Reads supervisor.json (src/host/state-file.ts: one key per line, two spaces in)
# into sd_pid, sd_start, sd_boot, sd_project, sd_detached; fails on anything else.
sidecar_sh_record() {
  sd_record=$sd_state/supervisor.json
  [ -f "$sd_record" ] && [ ! -L "$sd_record" ] && [ -O "$sd_record" ] || return 1
  sd_pid= sd_start= sd_boot= sd_project= sd_detached=
  while IFS= read -r sd_line; do
    sd_value=${sd_line#*\": }
    sd_value=${sd_value%,}
    case $sd_line in
      '  "pid": '*) sd_pid=$sd_value ;;
      '  "startTime": "'*) sd_start=${sd_value#\"} sd_start=${sd_start%\"} ;;
      '  "bootId": "'*) sd_boot=${sd_value#\"} sd_boot=${sd_boot%\"} ;;
      '  "project": "'*) sd_project=${sd_value#\"} sd_project=${sd_project%\"} ;;
      '  "detached": '*) sd_detached=$sd_value ;;
      '  "transient": '*) return 1 ;;
    esac
  done <"$sd_record" || return 1
  case $sd_pid in '' | 0* | *[!0-9]*) return 1 ;; esac
  case $sd_start in '' | *[!0-9]*) return 1 ;; esac
  case $sd_boot in *[!0-9a-f-]*) return 1 ;; esac
  # A DNS label (the manifest's name): printed as it is.
  case $sd_project in '' | *[!a-zA-Z0-9_.-]*) return 1 ;; esac
  return 0
}

# Seconds since boot in hundredths, into sd_cs (/proc/uptime: "12345.67 ...").
sidecar_sh_uptime() {
  { read -r sd_up sd_idle </proc/uptime; } 2>/dev/null || return 1
  case $sd_up in *[!0-9.]* | .* | *. | *.*.*) return 1 ;; *.??) ;; *) return 1 ;; esac
  sd_cs=$((${sd_up%.*} * 100 + 1${sd_up#*.} - 100))
}

# Whether PID is alive (not a zombie) with START TIME (/proc/PID/stat field 22;
# the command name, field 2, may hold spaces and parens: fields resume after the last ')').
sidecar_sh_alive() {
  { read -r sd_stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  sd_stat=${sd_stat##*) }
  set -f
  # shellcheck disable=SC2086 # split into fields on purpose
  set -- "$2" $sd_stat
  set +f
  case $2 in Z | X) return 1 ;; esac
  [ "${21}" = "$1" ]
}

sidecar_sh_down "$@"
