# newsetl as a container image: `docker build -t registry.example.org/newsetl:0.1.0 .`
# (the README's "Container image" section; deploy/*.yaml run this image).

# Build: a pinned Rust toolchain compiles the release binary from the locked dependencies.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY tests ./tests
RUN cargo build --release --locked --bin newsetl

# Run: a pinned slim Debian with the binary, the pipelines (lexicons, gazetteer, word lists),
# as a user without privileges.
FROM debian:bookworm-slim
RUN useradd --system --create-home --uid 10001 newsetl
COPY --from=build /src/target/release/newsetl /usr/local/bin/newsetl
COPY pipelines /opt/newsetl/pipelines
COPY seeds /opt/newsetl/seeds
WORKDIR /opt/newsetl
USER newsetl
ENTRYPOINT ["/usr/local/bin/newsetl"]
CMD ["run", "pipelines/default.toml", "--output", "/tmp/output"]
