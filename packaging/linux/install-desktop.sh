#!/usr/bin/env bash
# Install Margin Planner into the current user's desktop: menu entry, icon, the .tplan file
# type (double-click opens the app) and AppStream metadata. No root needed; --uninstall undoes it.
#
#   packaging/linux/install-desktop.sh [--exec PATH] [--uninstall]
#
# --exec names the program the menu entry starts. By default: the bundle's executable when this
# script runs from a bundle (dist/margin-planner/linux/), else `margin-planner` found on PATH
# (pip or pipx install). The path is written into the entry, so it works even where the
# desktop session's PATH lacks ~/.local/bin.
set -euo pipefail

app_id=io.github.marginplanner.MarginPlanner
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
sizes=(16 32 48 64 128 256 512)

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }
die() { echo "install-desktop: $*" >&2; exit 1; }

exec_path="" uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --exec) [ $# -ge 2 ] || die "--exec needs a path"; exec_path=$2; shift 2 ;;
    --exec=*) exec_path=${1#--exec=}; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

refresh_caches() {
  if command -v update-mime-database >/dev/null; then update-mime-database "$data/mime"; fi
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database -q "$data/applications"
  fi
  if command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -f -t "$data/icons/hicolor" || true
  fi
}

installed_files() {
  echo "$data/applications/$app_id.desktop"
  echo "$data/mime/packages/$app_id.xml"
  echo "$data/metainfo/$app_id.metainfo.xml"
  echo "$data/icons/hicolor/scalable/apps/$app_id.svg"
  for size in "${sizes[@]}"; do echo "$data/icons/hicolor/${size}x${size}/apps/$app_id.png"; done
}

if [ "$uninstall" = 1 ]; then
  installed_files | while read -r file; do rm -f "$file"; done
  mkdir -p "$data/mime/packages" "$data/applications"
  refresh_caches
  echo "Margin Planner removed from this user's desktop ($data)."
  exit 0
fi

# What the menu entry starts.
if [ -z "$exec_path" ]; then
  if [ -x "$here/../margin-planner" ] && [ -f "$here/../margin-planner" ]; then
    exec_path="$here/../margin-planner"  # running from a bundle
  elif command -v margin-planner >/dev/null; then
    exec_path=$(command -v margin-planner)
  else
    die "margin-planner is not on PATH: install it (pipx install .) or pass --exec PATH"
  fi
fi
[ -x "$exec_path" ] || die "not an executable file: $exec_path"
exec_path=$(cd "$(dirname "$exec_path")" && pwd)/$(basename "$exec_path")
case "$exec_path" in  # these would need escaping inside the entry's quoted Exec argument
  *[\"\`\$\\]*) die "the path may not contain \", \`, \$ or \\: $exec_path" ;;
esac
sed_path=$(printf '%s' "$exec_path" | sed -e 's/[|&]/\\&/g')

# The icons: beside this script in a bundle, in resources/icons/ in a source tree.
if [ -f "$here/icons/margin-planner.svg" ]; then icons=$here/icons; else icons=$here/../../resources/icons; fi
[ -f "$icons/margin-planner.svg" ] || die "no icons found in $icons"

mkdir -p "$data/applications" "$data/mime/packages" "$data/metainfo" \
  "$data/icons/hicolor/scalable/apps"
sed -e "s|^Exec=margin-planner |Exec=\"$sed_path\" |" -e "s|^TryExec=margin-planner\$|TryExec=$sed_path|" \
  "$here/$app_id.desktop" >"$data/applications/$app_id.desktop"
install -m 644 "$here/$app_id.xml" "$data/mime/packages/$app_id.xml"
install -m 644 "$here/$app_id.metainfo.xml" "$data/metainfo/$app_id.metainfo.xml"
install -m 644 "$icons/margin-planner.svg" "$data/icons/hicolor/scalable/apps/$app_id.svg"
for size in "${sizes[@]}"; do
  install -D -m 644 "$icons/margin-planner-$size.png" \
    "$data/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
refresh_caches
echo "Margin Planner added to this user's desktop ($data), starting $exec_path."
