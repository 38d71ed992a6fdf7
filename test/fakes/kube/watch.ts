// Watch streams: `?watch=true` answers 200 with a chunked body of newline-delimited
// `{"type": …, "object": …}` events, as the real server does.
//   - resourceVersion unset or "0": first an ADDED event for every matching object, then changes.
//   - resourceVersion N: the retained changes after N, then live changes. When changes after N
//     were already dropped (see Store.expiredBefore), the stream is one ERROR event carrying a
//     410 Expired Status, and ends; clients relist then.
//   - selectors: an object that stops matching is sent as DELETED, one that starts as ADDED.
//   - allowWatchBookmarks=true: BOOKMARK events (only kind, apiVersion and
//     metadata.resourceVersion) every `bookmarkIntervalMs` and whenever the cluster is asked.
//   - timeoutSeconds: the stream ends cleanly after that long.
// A cutWatch fault destroys the connection after that many events (bookmarks count).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { meta, type KubeObject } from './objects.js';
import type { ResourceType } from './resource-types.js';
import { expired, type StatusError } from './status.js';
import type { Store, StoreEvent } from './store.js';

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  matches: (object: KubeObject) => boolean;
  resourceVersion: string | undefined;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
  bookmarkIntervalMs: number;
  /** Destroy the connection after this many events (fault injection). */
  cutAfterEvents: number | undefined;
}

export interface OpenWatch {
  bookmark(): void;
  end(): void;
  readonly ended: boolean;
}

type WireEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: unknown };

/** The event a watcher with this namespace and selector sees for a store change, if any. */
function eventFor(w: WatchRequest, e: StoreEvent): WireEvent | undefined {
  if (e.resource !== w.type) return undefined;
  const inScope = (o: KubeObject | undefined): boolean =>
    o !== undefined && (w.namespace === undefined || meta(o).namespace === w.namespace) && w.matches(o);
  const now = e.type !== 'DELETED' && inScope(e.object);
  const before = e.type !== 'ADDED' && inScope(e.previous);
  if (e.type === 'DELETED') return before ? { type: 'DELETED', object: e.object } : undefined;
  if (now && before) return { type: 'MODIFIED', object: e.object };
  if (now) return { type: 'ADDED', object: e.object };
  if (before) return { type: 'DELETED', object: e.object };
  return undefined;
}

export function tooOld(requested: number, store: Store): StatusError {
  return expired(`too old resource version: ${requested} (${store.expiredBefore})`);
}

/**
 * Starts a watch on `res`; returns its handle, or a StatusError to answer with instead (a
 * resourceVersion that is not a number).
 */
export function startWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  w: WatchRequest,
  onClose: (watch: OpenWatch) => void,
): OpenWatch | StatusError {
  const fromZero = w.resourceVersion === undefined || w.resourceVersion === '' || w.resourceVersion === '0';
  const from = fromZero ? store.resourceVersion : Number(w.resourceVersion);
  if (!Number.isInteger(from) || from < 0) return expired(`invalid resource version: ${w.resourceVersion}`);
  res.writeHead(200, {
    'content-type': 'application/json',
    'transfer-encoding': 'chunked',
    'cache-control': 'no-cache',
  });
  // Send the head now, as the real server does: clients wait for it before they act.
  res.flushHeaders();
  let sent = 0;
  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  const stop = (): void => {
    ended = true;
    unsubscribe();
    for (const t of timers) clearInterval(t);
    onClose(handle);
  };
  const end = (): void => {
    if (ended) return;
    stop();
    if (!res.writableEnded) res.end();
  };
  const send = (event: WireEvent): void => {
    if (ended) return;
    sent++;
    const cut = w.cutAfterEvents !== undefined && sent >= w.cutAfterEvents;
    // A cut stream still delivers its last event: destroy the connection once it is written.
    res.write(`${JSON.stringify(event)}\n`, cut ? () => res.destroy() : undefined);
    if (cut) stop();
  };
  const bookmark = (): void => {
    if (!w.allowBookmarks) return;
    const apiVersion = w.type.group ? `${w.type.group}/${w.type.version}` : w.type.version;
    send({
      type: 'BOOKMARK',
      object: { kind: w.type.kind, apiVersion, metadata: { resourceVersion: String(store.resourceVersion) } },
    });
  };
  const handle: OpenWatch = {
    bookmark: () => bookmark(),
    end: () => end(),
    get ended() {
      return ended;
    },
  };
  const unsubscribe = store.subscribe((e) => {
    const event = eventFor(w, e);
    if (event !== undefined) send(event);
  });
  req.on('close', end);
  if (w.cutAfterEvents === 0) {
    stop();
    res.destroy();
    return handle;
  }
  const retained = fromZero ? [] : store.eventsAfter(from);
  const replay = fromZero ? initialEvents(store, w) : retained && replayed(retained, w);
  if (replay === undefined) {
    send({ type: 'ERROR', object: tooOld(from, store).body });
    end();
    return handle;
  }
  for (const event of replay) send(event);
  if (w.allowBookmarks && w.bookmarkIntervalMs > 0) timers.push(setInterval(bookmark, w.bookmarkIntervalMs));
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) timers.push(setTimeout(end, w.timeoutSeconds * 1000));
  return handle;
}

function initialEvents(store: Store, w: WatchRequest): WireEvent[] {
  return store
    .list(w.type, w.namespace)
    .filter(w.matches)
    .map((object) => ({ type: 'ADDED' as const, object }));
}

/** Replayed store events as this watcher sees them. */
export function replayed(events: readonly StoreEvent[], w: WatchRequest): WireEvent[] {
  return events.map((e) => eventFor(w, e)).filter((e): e is WireEvent => e !== undefined);
}
