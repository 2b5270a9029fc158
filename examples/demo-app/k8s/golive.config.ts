// The six drills against the demo app on a real cluster (kind, minikube, a cloud cluster).
// Load goes to the NodePort 30080 (with kind, map it: extraPortMappings containerPort 30080 → hostPort 30080),
// or set GOLIVE_URL to an Ingress or LoadBalancer address.
import { defineConfig } from 'golive/config';

export default defineConfig({
  name: 'demo-k8s',
  target: { url: process.env.GOLIVE_URL ?? 'http://127.0.0.1:30080' },
  load: { rate: 100, requests: [{ url: '/', check: { status: [200] } }] },
  platform: {
    kind: 'kubernetes',
    context: process.env.GOLIVE_CONTEXT,
    namespace: 'golive-demo',
    workload: { kind: 'Deployment', name: 'demo' },
  },
  drills: {
    'app-update': { objectives: { maxDowntime: '0s', maxFailedRequests: 0 } },
    'node-drain': { objectives: { maxDowntime: '0s' } },
    'zone-outage': { recovery: '10m', objectives: { maxDowntime: '30s' } },
    // On a 1.20 server (npm run cluster) set GOLIVE_DEMO_K8S=examples/demo-app/k8s-1.20.
    redeploy: { repo: '../../..', command: `kubectl apply -k ${process.env.GOLIVE_DEMO_K8S ?? 'examples/demo-app/k8s'}`, objectives: { maxSetupTime: '5m' } },
  },
});
