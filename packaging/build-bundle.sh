#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/margin-planner/ with PyInstaller
# (packaging/pyinstaller/margin-planner.spec), in a virtual environment of its own: the project
# installed from a copy of this checkout (not editable) plus a pinned PyInstaller. Build files
# go under $TMPDIR; only dist/ (git-ignored) is written in the repository.
#
#   bash packaging/build-bundle.sh     then   dist/margin-planner/margin-planner [PLAN]
#
# Environment: PYTHON (default python3), BUNDLE_WORK (default $TMPDIR/margin-planner-bundle),
# BUNDLE_DIST (default <repo>/dist). On Windows run it from Git Bash; see packaging/README.md.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${BUNDLE_WORK:-${TMPDIR:-/tmp}/margin-planner-bundle}
dist=${BUNDLE_DIST:-$repo/dist}
start=$SECONDS
export PIP_DISABLE_PIP_VERSION_CHECK=1

rm -rf "$work"
mkdir -p "$work/src" "$dist"
"${PYTHON:-python3}" -m venv "$work/venv"
py=$work/venv/bin/python
[ -x "$py" ] || py=$work/venv/Scripts/python.exe  # Windows
tools=(pyinstaller==6.22.3)
case "$(uname -s)" in
  Linux) ;;
  *) tools+=(pillow) ;;  # PyInstaller turns the PNG icon into .ico / .icns with it
esac
# Install from a copy, so that setuptools' build/ and *.egg-info stay out of the repository.
(cd "$repo" && cp -R pyproject.toml README.md LICENSE planner resources "$work/src/")
"$py" -m pip install -q "$work/src" "${tools[@]}"

# From $work: `python -m` puts the current folder on sys.path, and from the repository that
# would make PyInstaller analyse the source tree (where planner.resources does not exist)
# instead of the installed package.
(cd "$work" && "$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work/build" "$repo/packaging/pyinstaller/margin-planner.spec")

bundle=$dist/margin-planner
if [ "$(uname -s)" = Linux ]; then
  # Some Pythons (pyenv builds) ship libpython with its debug info: ~20 MB nobody needs.
  if command -v strip >/dev/null; then strip --strip-debug "$bundle"/_internal/libpython3*.so*; fi
  # The desktop integration travels with the bundle: dist/margin-planner/linux/install-desktop.sh
  rm -rf "$bundle/linux"
  cp -R "$repo/packaging/linux" "$bundle/linux"
  mkdir -p "$bundle/linux/icons"
  cp "$repo"/resources/icons/margin-planner*.svg "$repo"/resources/icons/margin-planner-*.png \
    "$bundle/linux/icons/"
fi
echo "build-bundle: $bundle in $((SECONDS - start)) s, $(du -sh "$bundle" | cut -f1)"
