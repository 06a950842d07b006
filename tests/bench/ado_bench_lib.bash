# What the Azure DevOps benchmarks share (sourced): a work directory removed
# on exit, the library or the program built in Release, the driver linked to
# it, and the local stand-in started with its port read.
#   needs: root (the source tree), build (the build directory)

work=$(mktemp -d "${TMPDIR:-/tmp}/alm-ado-bench-XXXXXX")
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# build_target SOURCE_DIR BUILD_DIR TARGET
build_target() {
	cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	if ! cmake --build "$2" --target "$3" -j2 >"$work/build.log" 2>&1; then
		cat "$work/build.log" >&2
		exit 1
	fi
}

# Links ado_bench_driver.c to the library in $build, as $work/driver.
build_driver() {
	build_target "$root" "$build" alm
	# shellcheck disable=SC2046
	cc -O2 -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -o "$work/driver" "$root/tests/bench/ado_bench_driver.c" \
		-I"$root/include" -I"$root/src" -I"$root/src/probes/ado" -I"$root/src/probes/repo" "$build/libalm.a" \
		$(pkg-config --cflags --libs libgit2 libcjson libcurl expat yaml-0.1) -lpthread -lm
}

# start_server ARGS...: (re)starts tests/ado_server.py; sets $port.
start_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	: >"$work/port"
	python3 "$root/tests/ado_server.py" --lifetime 7200 "$@" >"$work/port" &
	server_pid=$!
	for _ in $(seq 300); do
		[ -s "$work/port" ] && break
		sleep 0.1
	done
	port=$(head -1 "$work/port")
}

export AZURE_DEVOPS_EXT_PAT=bench-token-not-secret
