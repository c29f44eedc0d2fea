# hearth container image: `docker build -t hearth --build-arg HEARTH_COMMIT=$(git rev-parse --short=12 HEAD) .`
# Data (SQLite database, repositories, SSH host key) lives in the /data volume; every setting can
# be given as HEARTH__SECTION__KEY environment variables (see README.md, "Running hearth").

ARG RUST_VERSION=1.94

# ---- builder: the dist profile (one codegen unit, no debug info) ----
FROM rust:${RUST_VERSION}-bookworm AS builder
WORKDIR /src
COPY . .
# The build context has no .git: the commit `hearth --version` names comes in as a build argument.
ARG HEARTH_COMMIT=unknown
# Cache mounts keep the registry and compiled dependencies between builds (BuildKit, the default
# builder since Docker 23).
RUN --mount=type=cache,id=hearth-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=hearth-target,target=/src/target \
    HEARTH_COMMIT="$HEARTH_COMMIT" cargo build --locked --profile dist -p hearth \
    && install -m 0755 target/dist/hearth /usr/local/bin/hearth

# ---- runtime: slim Debian with git (the transport runs `git upload-pack`/`receive-pack`) ----
FROM debian:bookworm-slim
# tini as PID 1 reaps the grandchildren git leaves behind when a client disconnects mid-transfer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates tini \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 1000 git \
    && useradd --system --uid 1000 --gid git --home-dir /data --no-create-home --shell /usr/sbin/nologin git \
    && install -d -o git -g git -m 0750 /data
COPY --from=builder /usr/local/bin/hearth /usr/local/bin/hearth
COPY contrib/docker/healthcheck.sh /usr/local/bin/hearth-healthcheck
# Fails the build if the binary does not run on this image's libc.
RUN hearth --version

# The environment wins over an app.ini: these fix the container's address, data and SSH port.
ENV HEARTH__SERVER__HTTP_ADDR=0.0.0.0 \
    HEARTH__SERVER__APP_DATA_PATH=/data \
    HEARTH__SERVER__SSH_LISTEN_PORT=2222
USER git
WORKDIR /data
VOLUME /data
# 3000: HTTP (API and Git); 2222: the built-in SSH server, with HEARTH__SERVER__START_SSH_SERVER=true.
EXPOSE 3000 2222
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/hearth-healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/hearth"]
CMD ["web"]
