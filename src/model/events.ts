/**
 * The event vocabulary: every kind of event a drill, a platform or a hook puts on a drill's timeline.
 * Platforms emit these kinds and nothing else; the audit's diagnosis and the reports read them by kind.
 * `subject` names what the event is about (a replica, pod, node or zone).
 */
export const EVENT_KINDS = [
  // the drill itself
  'phase', // a phase began
  'drill.node', // the drill moves to its next node
  'drill.recovered', // the application is healthy again
  'drill.error', // the drill stopped with an error
  'teardown.failed', // a change could not be undone
  'action.run', // a custom drill's command started
  // hooks and operators
  'hook.output', // a line a hook printed
  'hook.stderr', // a line a hook printed on stderr
  'hook.planned', // a dry run: a hook or manual step that would run
  'manual.waiting', // waiting for an operator
  'manual.confirmed', // the operator confirmed
  // replicas (local) and pods (kubernetes): the workload's units
  'replica.starting', // a replica process started
  'replica.ready', // a replica passed readiness
  'replica.not-ready', // a replica failed readiness
  'replica.terminating', // a replica left rotation and got SIGTERM
  'replica.exited', // a replica process ended
  'replica.pending', // no node could take a new replica
  'replicas.killed', // replicas were killed abruptly
  'pod.created', // a pod was created
  'pod.scheduled', // a pod was bound to a node
  'pod.ready', // a pod became Ready
  'pod.not-ready', // a pod stopped being Ready
  'pod.terminating', // a pod began terminating
  'pod.deleted', // a pod is gone
  'scale', // the replica count changed
  'placement', // where the replicas run when a drill begins, or a replica moved to restore the spread
  // rollouts
  'rollout.started', // a rollout began
  'rollout.completed', // the rollout is complete
  // nodes
  'node.cordoned', // a node became unschedulable
  'node.uncordoned', // a node became schedulable
  'node.drained', // every pod left the node and the workload is available again
  'node.reboot', // a node is being rebooted
  'node.down', // a node is down
  'node.ready', // a node is Ready
  'node.not-ready', // a node stopped being Ready
  'node.taints', // a node's taints changed
  'node.deleted', // a node object was deleted
  'eviction', // a pod or replica was evicted
  'eviction.blocked', // an eviction was refused by a disruption budget
  // zones
  'zone.hook', // the user's zone hook ran
  'zone.lost', // a zone was lost
  'zone.detected', // the loss of a zone was detected
  'zone.restored', // a lost zone is back
  'zone.stuck', // components that can run only in a lost zone wait for it to come back
  'zone.taint-removed', // the node lifecycle controller removed golive's unreachable taint (the nodes are healthy)
  // data: backups, destroy, restore, canary writes
  'backup.started', // a backup began
  'backup.completed', // a backup completed
  'disaster', // the disaster happened
  'destroy', // the environment is being destroyed
  'destroy.done', // the environment is gone
  'restore.started', // a restore began
  'restore.completed', // a restore completed
  'canary.started', // canary writes began
  'canary.verified', // canary writes were read back
  // redeploy
  'reset', // the environment was reset to empty
  'deploy.clone', // the repository was cloned at HEAD
  'deploy.build', // the build began
  'deploy.command', // the deploy command began
  'deploy.start', // the application is being started
  'deploy.ready', // the deployed application is ready
  'deploy.failed', // the app's build or deploy command failed
  'deploy.healthy', // the smoke load passed
  // the cluster and golive's own doing
  'k8s.target', // where golive is pointed
  'k8s.call', // a change golive made through the API (or would make, in a dry run)
  'k8s.event', // a Kubernetes Event in the namespace
  'watch.relist', // a watch listed again after its history expired
  'undo', // golive undid one of its changes
  'ingress.retry', // the local ingress retried requests on another replica
  'workers.job', // load workers started as a Job
  'workers.pod', // a load worker pod is running
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/** Puts an event on the running drill's timeline. */
export type EventSink = (kind: EventKind, message: string, subject?: string) => void;

/** Kinds that mean a unit of the workload began to go away (where in-flight requests can fail). */
export const GOING_AWAY: readonly EventKind[] = ['replica.terminating', 'replica.exited', 'pod.terminating', 'pod.deleted', 'replicas.killed', 'eviction'];
/** Kinds that mean a unit of the workload came (back) into service. */
export const COMING_UP: readonly EventKind[] = ['replica.starting', 'replica.ready', 'pod.created', 'pod.scheduled', 'pod.ready', 'deploy.ready'];
/** Kinds that mean readiness changed without the unit going away. */
export const READINESS: readonly EventKind[] = ['replica.not-ready', 'pod.not-ready', 'replica.terminating', 'pod.terminating'];
