# Shared by bin/up.sh and bin/down.sh, sourced by bin/run.js's sh line: the
# project's .sidecar/ for a manifest path, as Node finds it, or a failure at any
# doubt (then Node does the work as ever).

# sd_file (the manifest's path as given) -> sd_dir, sd_state: a real directory of
# ours, with no symlink where Node refuses one.
sidecar_sh_state() {
  case $sd_file in '' | -* | */) return 1 ;; esac
  # A directory named as the manifest: Node says so (src/manifest/manifest-path.ts).
  [ ! -d "$sd_file" ] || return 1
  # The project directory as Node's path.dirname(path.resolve(file)) finds it: the
  # same unless the name itself is `.` or `..`, or a `..` follows a component (a
  # link there resolves otherwise); leading `../` are the same either way.
  case /$sd_file in */. | */..) return 1 ;; esac
  case $sd_file in */*) sd_dir=${sd_file%/*} ;; *) sd_dir=. ;; esac
  [ -n "$sd_dir" ] || return 1
  sd_rest=$sd_dir/
  while :; do case $sd_rest in ../*) sd_rest=${sd_rest#../} ;; *) break ;; esac; done
  case /$sd_rest in */../*) return 1 ;; esac
  sd_state=$sd_dir/.sidecar
  [ -d "$sd_state" ] && [ ! -L "$sd_state" ] && [ -O "$sd_state" ] || return 1
  ! sidecar_sh_linked "$sd_state" root
}

# Whether DIR holds a symlink where src/runtime/safe-state-dir.ts's assertStateTree
# refuses one: in .sidecar/, in its logs/ and volumes/, and in a pod's logs/<pod>/.
# A directory it cannot list counts as one (Node's readdir fails there).
sidecar_sh_linked() {
  [ -r "$1" ] && [ -x "$1" ] || return 0
  for sd_entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [ -L "$sd_entry" ] && return 0
    case $2/${sd_entry##*/} in
      root/logs)
        [ -d "$sd_entry" ] || return 0
        sidecar_sh_linked "$sd_entry" logs && return 0
        ;;
      root/volumes)
        [ -d "$sd_entry" ] || return 0
        sidecar_sh_linked "$sd_entry" leaf && return 0
        ;;
      logs/*) [ -d "$sd_entry" ] && sidecar_sh_linked "$sd_entry" leaf && return 0 ;;
    esac
  done
  return 1
}
