#!/usr/bin/env sh
# Install the bundle (dist/reviewer) for one user or system-wide, with its desktop
# entry, AppStream metainfo and icons, following the freedesktop layout.
#
#   packaging/linux/install.sh [BUNDLE_DIR] [PREFIX]     defaults: dist/reviewer ~/.local
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$here")")"
bundle="${1:-$root/dist/reviewer}"
prefix="${2:-$HOME/.local}"
app_id="io.github.redactionreviewer.Reviewer"
icons="$root/resources/icons"

[ -x "$bundle/reviewer" ] || { echo "no bundle at $bundle; run 'make package' first" >&2; exit 1; }
mkdir -p "$prefix/lib" "$prefix/bin" "$prefix/share/applications" "$prefix/share/metainfo"
rm -rf "$prefix/lib/redaction-reviewer"
cp -a "$bundle" "$prefix/lib/redaction-reviewer"
ln -sf "$prefix/lib/redaction-reviewer/reviewer" "$prefix/bin/reviewer"
# An absolute Exec: desktop sessions do not always have ~/.local/bin on PATH.
sed -e "s|^Exec=reviewer|Exec=$prefix/bin/reviewer|" -e "s|^TryExec=reviewer|TryExec=$prefix/bin/reviewer|" \
    "$here/$app_id.desktop" >"$prefix/share/applications/$app_id.desktop"
cp "$here/$app_id.metainfo.xml" "$prefix/share/metainfo/"
for size in 16 24 32 48 64 128 256 512; do
    dir="$prefix/share/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    cp "$icons/reviewer-$size.png" "$dir/$app_id.png"
done
mkdir -p "$prefix/share/icons/hicolor/scalable/apps"
cp "$icons/reviewer.svg" "$prefix/share/icons/hicolor/scalable/apps/$app_id.svg"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$prefix/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" || true
echo "Installed Redaction Reviewer in $prefix (run: $prefix/bin/reviewer)"
