# syntax=docker/dockerfile:1
# benih's server image: `docker build -t benih .`, then `docker run -p 8080:8080 -e BENIH_ADMIN_KEY=… benih`.
# The entrypoint is the `benih` command, so the same image runs `serve` (the default), `agent`, `train` or `keys`.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm AS build
# node-gyp builds the C++ training engine and better-sqlite3 against the image's own Node headers.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
COPY . .
# npm ci runs the root `prepare` script (the web app's build) and the trainer's install script (its native engine).
RUN npm ci --no-audit --no-fund
# The trainer's install script only warns when the native engine fails to build; a release image must have it.
RUN test -f packages/trainer/native/build/Release/benih_trainer.node || npm run build:native -w @benih/trainer
RUN test -f apps/web/dist/index.html
# The server runs its TypeScript through tsx (a dependency of apps/server), so dev dependencies can go.
RUN npm prune --omit=dev --no-audit --no-fund \
  && find packages/trainer/native/build -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} + \
  && rm -rf packages/trainer/native/build/Release/obj.target

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# ffmpeg makes the offline video path (captioned slideshows) work; `--build-arg WITH_FFMPEG=true` adds it.
ARG WITH_FFMPEG=false
RUN if [ "$WITH_FFMPEG" = "true" ]; then \
    apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*; \
  fi \
  && mkdir -p /data && chown node:node /data
WORKDIR /app
# The application files stay root's: the server's user reads them and writes only to /data (and tsx's cache in /tmp).
COPY --from=build /app /app
ENV NODE_ENV=production \
  NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
  HOST=0.0.0.0 \
  PORT=8080 \
  BENIH_DATA_DIR=/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "apps/server/bin/benih.mjs"]
CMD ["serve"]
