# A benchmark's working directory (broker data, logs): removed after a run that succeeded — a
# broker's log of a million jobs is hundreds of megabytes — and kept, with its path printed, after
# one that failed or was interrupted, for its logs.
spillway_remove_workdir() {
  local status=$1 dir=$2
  [[ -n $dir && -d $dir ]] || return 0
  if (( status == 0 )); then
    rm -rf "$dir"
  else
    echo "logs and data of this run kept in $dir" >&2
  fi
}
