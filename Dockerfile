# golive as an image, for load workers in clusters that cannot reach the npm registry:
#   docker build -t registry.example.com/golive:0.1.0 .
# then load.workers: { kind: 'kubernetes', count: 8, image: 'registry.example.com/golive:0.1.0', command: ['golive', 'worker'] }
FROM node:20-slim
WORKDIR /opt/golive
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.base.json ./
COPY src ./src
COPY bin ./bin
COPY report-template ./report-template
COPY examples ./examples
RUN npm ci && npm prune --omit=dev && ln -s /opt/golive/bin/golive.js /usr/local/bin/golive
USER node
ENTRYPOINT []
CMD ["golive", "--help"]
