# syntax=docker/dockerfile:1
# One image per app, from one Dockerfile:
#   docker build --build-arg APP=pairing-service -t twokey/pairing-service:0.1.0 .
# APP: pairing-service | admin-api | gateway-telegram | gateway-discord | gateway-slack | gateway-mattermost |
#      gateway-feishu | gateway-line | agent-bridge. The runtime image holds the compiled code (dist/, without test support), the
# production dependencies and deploy/nats (the stream provisioner the Kubernetes init container runs); it runs as
# the non-root uid 1000 and needs no writable path but /tmp.
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
 && node tools/scripts/build.mjs \
 && rm -rf dist/libs/test-support \
 && npm prune --omit=dev --no-audit --no-fund \
 # workspace links point into the source tree, which the runtime image does not have (dist/ uses relative paths)
 && rm -rf node_modules/@twokey node_modules/.cache

FROM ${NODE_IMAGE} AS runtime
ARG APP
ENV NODE_ENV=production \
    HTTP_PORT=8080 \
    HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/libs ./dist/libs
COPY --from=build /src/dist/apps/${APP} ./dist/apps/${APP}
COPY --from=build /src/deploy/nats ./deploy/nats
# The web console's static files (served by admin-api; a few kilobytes, so every image has them).
COPY --from=build /src/apps/admin-api/console ./apps/admin-api/console
RUN if [ -z "${APP}" ]; then echo 'build with --build-arg APP=<app> (e.g. pairing-service)'; exit 1; fi \
 && if [ ! -f "dist/apps/${APP}/src/main.js" ]; then echo "no app named ${APP}"; exit 1; fi \
 && ln -s "dist/apps/${APP}/src/main.js" main.js
# The agent the bridge drives (AGENT_COMMAND), installed only into the agent-bridge image, outside the app's own
# dependencies: Codex's ACP agent by default; another with --build-arg AGENT_PACKAGES="<npm package>@<version> ...",
# or none with AGENT_PACKAGES="" (e.g. webhook mode).
ARG AGENT_PACKAGES="@zed-industries/codex-acp@0.16.0"
ENV PATH="/opt/agent/node_modules/.bin:${PATH}"
RUN if [ "${APP}" = "agent-bridge" ] && [ -n "${AGENT_PACKAGES}" ]; then \
      npm install --prefix /opt/agent --no-save --no-audit --no-fund --omit=dev ${AGENT_PACKAGES} && npm cache clean --force; \
    fi
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "main.js"]
