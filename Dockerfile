# Closeloop's image: the compiled hub (dist/) on Node.js 24 with production dependencies only, run as a non-root user.
#   docker build -t closeloop .
#   docker run closeloop            # `start`: serve + worker in one process (migrates first)
#   docker run closeloop worker     # or serve, migrate, check-config, keys …: any `closeloop` command
# Config: the example council is in /app/config; mount your own there or set CLOSELOOP_CONFIG, and DATABASE_URL,
# REDIS_URL, PUBLIC_BASE_URL (README: "Configuration"). docker-compose.yml shows a whole setup.

# Build stage: dev dependencies (TypeScript) and the tools libxmljs2's native binding compiles with (python3, make, g++
# are in the full image). The whole context is copied before `npm ci` so that workspace packages are in place.
FROM node:24-bookworm AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p packages

# Run stage: no compiler, no TypeScript, no tsx. node_modules comes from the build stage because the native binding
# was compiled there, for this same Node major and Debian release.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    DOCUMENTS_PATH=/data/documents
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
# The application files stay root's (read-only to the hub); only the documents folder is the hub's to write.
RUN mkdir -p /data/documents && chown node:node /data/documents
USER node
EXPOSE 3000
# The slim image has no curl: node asks /healthz itself. Fits `start` and `serve`; the worker role has no HTTP port,
# so docker-compose.yml turns this off for it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself; the hub finishes in-flight work within 30 s and exits.
ENTRYPOINT ["node", "dist/core/cli.js"]
CMD ["start"]
