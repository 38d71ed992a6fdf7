import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { StoreError } from './store-error.js';

/**
 * An exclusive lock held by the kernel for the process that took it (flock(2) on an open
 * file). The kernel drops it the instant that process dies however it dies — kill -9, an
 * OOM kill, PID 1 of a container torn down — so a lock can never outlive its holder, and
 * no pid has to be trusted (pids are reused, and every container has a PID 1).
 */
export interface FileLock {
  readonly path: string;
  /**
   * Whether the lock is still this process's: the file it locked is still the one at its
   * path (someone deleting or replacing the lock file would let a second process lock a new
   * one). Checked before anything is written under the lock.
   */
  stillHeld(): boolean;
  release(): void;
}

/** Who holds a lock, as its holder wrote it into the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
}

export type TryLockResult =
  { readonly ok: true; readonly lock: FileLock } | { readonly ok: false; readonly holder: LockHolder | undefined };

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const EINTR = 4;
const EWOULDBLOCK = 11;

type Flock = (fd: number, op: number) => { result: number; errno: number };
let flockFn: Flock | undefined;

/** flock(2) from the C library of this process, bound once (koffi: a prebuilt FFI, no compiler). */
async function flock(): Promise<Flock> {
  if (flockFn) return flockFn;
  try {
    const koffi = (await import('koffi')).default;
    // dlopen(NULL): the symbols already in the process, so glibc and musl both work.
    const fn = koffi.load(null).func('int flock(int fd, int op)');
    flockFn = (fd, op) => {
      const result = fn(fd, op) as number;
      return { result, errno: result === 0 ? 0 : koffi.errno() };
    };
    return flockFn;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new StoreError(
      'STORE_LOCK_UNAVAILABLE',
      `cannot take an OS file lock on this system (${why}); ` +
        'set DATABASE_URL to keep state on a PostgreSQL server instead',
    );
  }
}

/**
 * Takes the lock on `path` without waiting, creating the file if needed, and writes who
 * holds it into it. When another process holds it, says who (as far as it wrote that).
 */
export async function tryLockFile(path: string, command: string): Promise<TryLockResult> {
  const lockOp = await flock();
  let fd: number;
  try {
    fd = openSync(path, 'a+', 0o600);
  } catch (err) {
    throw new StoreError(
      'STORE_UNAVAILABLE',
      `cannot open the lock file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  for (;;) {
    const { result, errno } = lockOp(fd, LOCK_EX | LOCK_NB);
    if (result === 0) break;
    if (errno === EINTR) continue;
    closeSync(fd);
    if (errno === EWOULDBLOCK) return { ok: false, holder: readHolder(path) };
    throw new StoreError('STORE_UNAVAILABLE', `cannot lock ${path}: flock failed with errno ${errno}`);
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, JSON.stringify(holder) + '\n', 0);
  } catch {
    // Who holds it is only told to contenders; a full disk must not stop the holder (the
    // store then says why it cannot write).
  }
  const { ino, dev } = fstatSync(fd);
  let released = false;
  return {
    ok: true,
    lock: {
      path,
      stillHeld() {
        if (released) return false;
        try {
          const now = statSync(path);
          return now.ino === ino && now.dev === dev;
        } catch {
          return false;
        }
      },
      release() {
        if (released) return;
        released = true;
        // The file stays: removing it could let a waiting process lock an inode that a third
        // one is about to replace. Its content says who held it last, which is harmless.
        lockOp(fd, LOCK_UN);
        closeSync(fd);
      },
    },
  };
}

/** The holder a lock file names; undefined when it is empty or half-written. */
export function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.command !== 'string') return undefined;
    return {
      pid: h.pid,
      host: typeof h.host === 'string' ? h.host : '?',
      command: h.command,
      since: typeof h.since === 'string' ? h.since : '?',
    };
  } catch {
    return undefined;
  }
}

/** "pid 4242 on host-a (shisa plan --config fleet.yaml, since 2026-12-02 04:00:00 UTC)" */
export function describeHolder(h: LockHolder | undefined): string {
  if (!h) return 'another process (it has not said who it is yet)';
  const since = /^\d{4}-\d\d-\d\dT/.test(h.since) ? `${h.since.slice(0, 19).replace('T', ' ')} UTC` : h.since;
  return `pid ${h.pid} on ${h.host} (${h.command}, since ${since})`;
}
