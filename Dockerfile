# syntax=docker/dockerfile:1
#
# One image for every Propusk process (identity, verification, federation, token,
# notification, gateway), the migration runner and the operator CLI. Each runs compiled: one
# JavaScript file per process (`node dist/main.mjs` in the process's folder, built by
# `npm run build` with esbuild); npm dependencies stay in node_modules, where the bundles find
# them by relative path. Choose the process with the working directory; the default is the
# gateway:
#
#   docker build -t propusk:local .
#   docker run -w /app/services/token propusk:local
#   docker run -w /app propusk:local node packages/db/dist/cli.mjs migrate
#   docker run -w /app propusk:local node tools/authctl/dist/main.mjs staff list
#
# Needs BuildKit (the default builder of current Docker) for the cache mounts.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: dependencies and the generated Prisma client ---------------------------------
FROM ${NODE_IMAGE} AS build

# argon2 compiles its native addon with node-gyp when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# pnpm at exactly the version package.json pins in "packageManager", installed with npm:
# corepack's signature check fails for recent pnpm releases on some Node 20 images.
COPY package.json ./
RUN npm install --global --no-audit --no-fund \
      "$(node -p "require('./package.json').packageManager.split('+')[0]")"

# Download every package the lockfile names into pnpm's store. This step sees only the
# lockfile and the workspace settings, so editing source never re-downloads anything.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=propusk-pnpm-store,target=/pnpm/store \
    pnpm fetch --store-dir /pnpm/store

# The whole workspace, then an offline install from that store. All dependencies: esbuild,
# which compiles the processes, is a devDependency. pnpm runs only the build
# scripts that pnpm-workspace.yaml allows (argon2, esbuild) plus the workspace's own
# postinstall, which generates the Prisma client.
COPY . .
RUN --mount=type=cache,id=propusk-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --offline --store-dir /pnpm/store

# Generating again is a no-op when the postinstall already did it (it compares a hash of the
# schema), and fails the build loudly if it did not. Offline: no Prisma engine is downloaded.
RUN node packages/db/scripts/generate.mjs

# Every process, the CLI and the migration runner compiled to <package>/dist/*.mjs.
RUN node scripts/build.mjs

# ---- runtime: the same tree on a clean base, without compilers ---------------------------
FROM ${NODE_IMAGE} AS runtime

# Production unless the deployment says otherwise: a forgotten setting then stops the start
# with a clear error (missing channel credentials) instead of logging one-time codes.
# Containers must listen on every interface; the processes' own default is 127.0.0.1.
ENV NODE_ENV=production \
    BIND_HOST=0.0.0.0

# The code stays owned by root, so the unprivileged process cannot modify it.
COPY --from=build /app /app

USER node
WORKDIR /app/gateway
# gateway, identity, verification, federation, token, notification
EXPOSE 8080 8081 8082 8083 8084 8085
# Every process finishes in-flight work and exits within 10 s of SIGTERM; node is PID 1
# and handles the signal itself (no shell in between).
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.mjs"]
