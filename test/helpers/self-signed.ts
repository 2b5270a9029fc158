/** A self-signed certificate for localhost (openssl), in a temp folder removed at exit. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './temp-dir.js';

export interface SelfSigned {
  key: string;
  cert: string;
  keyFile: string;
  certFile: string;
}

export function selfSignedCert(): SelfSigned {
  const dir = tempDir('golive-tls-');
  const keyFile = path.join(dir, 'k.pem');
  const certFile = path.join(dir, 'c.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost'], {
    stdio: 'ignore',
  });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), keyFile, certFile };
}
