#!/bin/sh
# Regenerates Sources/BrowserBridge/BridgeAssets.swift from docs/sscard.js and
# docs/bridge-example.html (the bridge serves those copies; BridgeAssetTests checks they match).
set -eu
cd "$(dirname "$0")/.."
python3 - <<'PY'
js = open('docs/sscard.js').read()
html = open('docs/bridge-example.html').read()
out = '''// The JS client and its example page, served by the bridge at /sscard.js and /. Copies of
// docs/sscard.js and docs/bridge-example.html, kept byte-equal by BridgeAssetTests
// (regenerate: scripts/bridge-assets.sh).
enum BridgeAssets {
    static let clientScript = #"""
%s"""#

    static let examplePage = #"""
%s"""#
}
''' % (js, html)
open('Sources/BrowserBridge/BridgeAssets.swift', 'w').write(out)
PY
