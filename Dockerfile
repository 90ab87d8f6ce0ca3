# Beacon, single-process image. Build: docker build -t beacon .
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY apps/beacon/package.json apps/beacon/
COPY libs ./libs
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production BEACON_DATA_DIR=/data
COPY --from=build /app /app
VOLUME /data
EXPOSE 8080 8081 7070 8090 8091
USER node
# One image for every part: the single process by default; compose picks apps/{topic-service,gateway,push-api}.
CMD ["node", "apps/beacon/dist/main.js"]
