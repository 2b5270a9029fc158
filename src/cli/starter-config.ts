/** The starter config `golive init` writes. */
export const STARTER_CONFIG = `// golive config: every option is in "Config reference" in node_modules/golive/README.md (shipped with golive).
import { defineConfig } from 'golive/config';

export default defineConfig({
  name: 'my-service',

  // Where users' traffic enters (an Ingress, a LoadBalancer, any URL): load takes the path real users take.
  target: { url: 'http://127.0.0.1:8080' },

  load: {
    // Open model: requests start on schedule whether or not earlier ones finished, so an outage shows up
    // as failures and waiting, not as the generator politely slowing down.
    executor: 'constant-arrival-rate',
    rate: 100, // requests per second
    duration: '30s',
    connections: 50,
    timeout: '10s',
    requests: [
      { name: 'home', method: 'GET', url: '/', weight: 9, check: { status: [200] } },
      // { name: 'order', method: 'POST', url: '/orders', weight: 1, json: { id: '{{uuid}}', qty: '{{randomInt 1 3}}' } },
    ],
  },

  drills: {
    capacity: {
      objectives: { latency: ['p(95)<300', 'p(99)<800'], maxErrorRate: 0.001 },
    },
  },
});
`;
