# Beacon: one image for every part. The single process by default; docker-compose.yml runs
# apps/{topic-service,gateway,push-api} from the same image.  Build: docker build -t beacon .
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source (python3, make, g++).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY . .
# `npm install` (not `npm ci`): see .ci/run; it installs the locked versions.
RUN npm install --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# Inside a container loopback is unreachable from outside, so the image binds every address. The
# apps default to 127.0.0.1 elsewhere; the topic-service refuses 0.0.0.0 without BEACON_CLUSTER_TOKEN.
ENV NODE_ENV=production BEACON_DATA_DIR=/data BEACON_HOST=0.0.0.0 BEACON_TOPIC_SERVICE_HOST=0.0.0.0
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080 8081 7070 8090 8091
USER node
CMD ["node", "apps/beacon/dist/main.js"]
