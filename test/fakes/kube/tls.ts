// One self-signed key and certificate for IP:127.0.0.1, made with openssl once per test process
// and shared by every fake cluster in it (making a key costs tens of milliseconds; clusters are
// told apart by port and token, not by certificate). The certificate is its own CA, so it goes
// into a kubeconfig as `certificate-authority-data`: kubectl (Go) and client-node both accept it.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TlsMaterial {
  readonly keyPem: string;
  readonly certPem: string;
}

const run = promisify(execFile);
let cached: Promise<TlsMaterial> | undefined;

/** The process-wide key and certificate, made on first use. */
export function localhostTls(): Promise<TlsMaterial> {
  cached ??= makeTls().catch((err: unknown) => {
    cached = undefined; // let a later call try again rather than caching the failure
    throw err;
  });
  return cached;
}

async function makeTls(): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '7',
      '-subj',
      '/CN=fake-kube-apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    return { keyPem: await readFile(keyFile, 'utf8'), certPem: await readFile(certFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
