# Sourced by the GPU-machine scripts: unpacks the carried Java runtime (.device/jdk.txz, staged by
# scripts/cuda/engine-e2e.sh stage) and defines the helpers they share. SGLJ_APP names another folder of
# jars to run sglj from (default .device/app), e.g. a baseline build beside the staged one.
[ -x /tmp/jrt/bin/java ] || python3 -c "import tarfile; tarfile.open('.device/jdk.txz').extractall('/tmp')"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}

SGLJ_JAVA=(/tmp/jrt/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:CompileThresholdScaling=0.01
           -cp "${SGLJ_APP:-.device/app}/*" dev.sglj.cli.Main)
sglj() { "${SGLJ_JAVA[@]}" "$@"; }

# Starts `sglj serve ARGS...` in the background with its output in LOG ($1); SERVER_PID is the java
# process itself (a backgrounded shell function would be a subshell that TERM does not reach).
start_server() {
  local log=$1; shift
  "${SGLJ_JAVA[@]}" serve "$@" >"$log" 2>&1 &
  SERVER_PID=$!
}

# Stops the server (SIGTERM drains it) and waits until it has exited and freed the GPU.
stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

# A model directory of Llama-3.1-8B-Instruct's exact config with its tokenizer and chat template
# (weights come from --load-format dummy); prints its path.
make_llama8b_dir() {
  local dir=/tmp/l8b
  if [ ! -f "$dir/tokenizer_config.json" ]; then
    mkdir -p "$dir"
    cp engine/src/test/resources/configs/llama-3.1-8b-instruct.json "$dir/config.json"
    gunzip -c engine/src/test/resources/tokenizers/llama3_1/tokenizer.json.gz >"$dir/tokenizer.json"
    gunzip -c engine/src/test/resources/tokenizers/llama3_1/tokenizer_config.json.gz >"$dir/tokenizer_config.json"
  fi
  echo "$dir"
}

# Waits until the server on port $1 (process $2, log $3) answers /health; fails if it exits first.
wait_healthy() {
  for _ in $(seq 1 600); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$1/health', timeout=2)" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$2" 2>/dev/null; then echo "server exited:"; tail -30 "$3"; return 1; fi
    sleep 1
  done
  echo "server not healthy after 600 s"; tail -30 "$3"; return 1
}
