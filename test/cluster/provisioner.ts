/**
 * A dynamic volume provisioner for the test cluster, as local-path-provisioner is for kind: the default
 * StorageClass `golive-local`; a PersistentVolume for each claim of that class (the real PV controller binds
 * them), deleted when its claim is. The process kubelet keeps a claim's data in a folder named after it.
 */
import type { KubeObject, Rest } from './rest.js';

export const STORAGE_CLASS = 'golive-local';
const PROVISIONER = 'golive.dev/process-kubelet';

export class LocalProvisioner {
  private stops: (() => void)[] = [];
  private readonly provisioned = new Set<string>();

  constructor(private readonly rest: Rest) {}

  async start(): Promise<void> {
    await this.rest
      .post('/apis/storage.k8s.io/v1/storageclasses', {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: PROVISIONER,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'Immediate',
      })
      .catch((e: unknown) => {
        if (!(e instanceof Error && / 409 /.test(e.message))) throw e;
      });
    this.stops.push(this.rest.watch('/api/v1/persistentvolumeclaims', (e) => e.type !== 'DELETED' && void this.provision(e.object)));
    this.stops.push(this.rest.watch('/api/v1/persistentvolumes', (e) => e.type !== 'DELETED' && void this.reclaim(e.object)));
  }

  private async provision(pvc: KubeObject): Promise<void> {
    const uid = pvc.metadata.uid!;
    if (pvc.spec?.storageClassName !== STORAGE_CLASS || pvc.spec?.volumeName || pvc.metadata.deletionTimestamp || this.provisioned.has(uid)) return;
    this.provisioned.add(uid);
    await this.rest
      .post('/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `pvc-${uid}`, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' },
          accessModes: pvc.spec.accessModes,
          storageClassName: STORAGE_CLASS,
          persistentVolumeReclaimPolicy: 'Delete',
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid },
          hostPath: { path: `/golive-local/${pvc.metadata.namespace}/${pvc.metadata.name}` },
        },
      })
      .catch(() => this.provisioned.delete(uid));
  }

  /** A released volume of ours (its claim is gone) is deleted, as its reclaim policy says. */
  private async reclaim(pv: KubeObject): Promise<void> {
    if (pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] !== PROVISIONER || pv.status?.phase !== 'Released' || pv.metadata.deletionTimestamp)
      return;
    await this.rest.delete(`/api/v1/persistentvolumes/${pv.metadata.name}`).catch(() => undefined);
  }

  stop(): void {
    for (const s of this.stops) s();
  }
}
