# One image for every service of the supergraph; the command picks which one runs:
#   node --import tsx gateway/main.ts              (the default)
#   node --import tsx subgraphs/<name>/main.ts     (catalog, inventory, orders, finance)
#   node --import tsx main.ts                      (all in one process, on embedded PGlite)
# compose.yaml runs each service twice, on PostgreSQL, NATS JetStream and Redis.
# the browser bundles (GraphiQL, the operator console) are built with the dev dependencies (Vite)
# in a stage of their own; only ui/dist/ reaches the image
FROM node:20-slim AS ui
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY ui ui
COPY scripts/buildUi.mjs scripts/
RUN node scripts/buildUi.mjs

FROM node:20-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app

# dependencies first: this layer is rebuilt only when the lockfile changes. tsx is a dependency,
# not a devDependency: the services run their TypeScript through it.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# the source stays root's and read-only to the service; only the embedded database's folder
# (main.ts without DATABASE_URL) is the service's to write
COPY . .
COPY --from=ui /app/ui/dist ui/dist
RUN mkdir -p .data && chown node:node .data
USER node

EXPOSE 4000 4001 4002 4003 4004
# the services drain on SIGTERM (readiness first, then requests, sockets, events) and exit within
# SHUTDOWN_TIMEOUT_MS (25 s): give them a stop timeout longer than that (compose.yaml: 30 s)
STOPSIGNAL SIGTERM
# liveness, whichever service this container runs (compose.yaml asks each for /readyz instead)
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "--import", "tsx", "scripts/healthcheck.ts", "/healthz"]
CMD ["node", "--import", "tsx", "gateway/main.ts"]
