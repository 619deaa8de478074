#!/usr/bin/env sh
# Validate the Linux desktop integration files with the freedesktop tools, where
# they are installed (Debian: desktop-file-utils, appstream). Exit 1 on a failure.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
app_id="io.github.redactionreviewer.Reviewer"
status=0
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$here/$app_id.desktop" && echo "desktop entry: valid" || status=1
else
    echo "desktop-file-validate not installed: desktop entry not checked"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$here/$app_id.metainfo.xml" || status=1
else
    echo "appstreamcli not installed: metainfo not checked"
fi
exit $status
