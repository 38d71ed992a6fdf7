import { realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { filesNamed } from '../../regions/fleet/files-named.js';
import type { FileRef, Fleet } from '../../regions/fleet/model.js';
import { parseFleet } from '../../regions/fleet/parse-fleet.js';
import {
  capErrorsPerFile,
  diagnostic,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
} from '../diagnostics/diagnostic.js';
import { displayPath } from '../diagnostics/display-path.js';
import { readSource } from '../diagnostics/read-source.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { loadIntentSource } from '../intent/index.js';
import type { Intent } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';
import { parseInventory } from '../inventory/parse-inventory.js';
import { crossCheck } from './cross-check.js';
import type { Workspace } from './model.js';

/** Size limits: far above any real file, low enough that a stray binary is refused at once. */
export const LIMITS = Object.freeze({
  fleetBytes: 1024 * 1024,
  intentBytes: 1024 * 1024,
  inventoryBytes: 64 * 1024 * 1024,
  intentFiles: 10_000,
  errorsPerFile: 50,
});

export interface WorkspaceLoadResult {
  /** Present only when no file has an error. */
  readonly workspace?: Workspace;
  readonly diagnostics: readonly Diagnostic[];
  /** Every file read, by display name, for quoting excerpts. */
  readonly sources: ReadonlyMap<string, SourceFile>;
}

export interface LoadOptions {
  /** Paths in messages are shown relative to this folder. */
  readonly cwd: string;
}

/**
 * Loads a fleet file and everything it names (intent files and folders, the inventory),
 * collecting the diagnostics of every file rather than stopping at the first, then checks
 * the references between them. Either everything is valid and a Workspace is returned,
 * or nothing is: callers never see a half-loaded fleet.
 */
export async function loadWorkspace(fleetPath: string, options: LoadOptions): Promise<WorkspaceLoadResult> {
  const result = await loadAll(fleetPath, options);
  return { ...result, diagnostics: capErrorsPerFile(sortDiagnostics(result.diagnostics), LIMITS.errorsPerFile) };
}

/** Reads and checks the fleet file alone, for commands that need nothing else from it. */
export async function loadFleet(
  fleetPath: string,
  options: LoadOptions,
): Promise<{ fleet?: Fleet; source?: SourceFile; diagnostics: readonly Diagnostic[] }> {
  const display = displayPathFn(options.cwd);
  const abs = resolve(options.cwd, fleetPath);
  const read = await readSource(abs, display(abs), LIMITS.fleetBytes, 'fleet file');
  if (!read.ok) return { diagnostics: [read.diagnostic] };
  const parsed = parseFleet(read.source, dirname(abs), display);
  return {
    ...(parsed.fleet ? { fleet: parsed.fleet } : {}),
    source: read.source,
    diagnostics: capErrorsPerFile(parsed.diagnostics, LIMITS.errorsPerFile),
  };
}

async function loadAll(fleetPath: string, options: LoadOptions): Promise<WorkspaceLoadResult> {
  const sources = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];
  const loadedFleet = await loadFleet(fleetPath, options);
  diagnostics.push(...loadedFleet.diagnostics);
  if (loadedFleet.source) sources.set(loadedFleet.source.name, loadedFleet.source);
  const { fleet, source: fleetSource } = loadedFleet;
  if (!fleet || !fleetSource) return { diagnostics, sources };
  const display = displayPathFn(options.cwd);

  const intents: Intent[] = [];
  const intentFiles: string[] = [];
  const seen = new Set<string>();
  let intentsComplete = true;
  refs: for (const ref of fleet.intents) {
    const files = await intentFilesAt(ref, fleetSource, diagnostics);
    if (files === undefined) {
      intentsComplete = false;
      continue;
    }
    for (const file of files) {
      // Two names for one file (links) are one file; a name that cannot be resolved is read as given, to say why.
      const identity = await realpath(file).catch(() => file);
      if (seen.has(identity)) {
        diagnostics.push(
          diagnostic({
            code: 'fleet/duplicate-intent-path',
            severity: 'warning',
            message: `intent file "${display(file)}" is listed more than once; it is read once`,
            span: ref.span,
            source: fleetSource,
          }),
        );
        continue;
      }
      seen.add(identity);
      if (intentFiles.length >= LIMITS.intentFiles) {
        diagnostics.push(
          diagnostic({
            code: 'fleet/too-many-intent-files',
            message: `more than ${LIMITS.intentFiles} intent files`,
            span: ref.span,
            source: fleetSource,
          }),
        );
        intentsComplete = false;
        break refs;
      }
      const r = await readSource(file, display(file), LIMITS.intentBytes, 'intent file');
      if (!r.ok) {
        diagnostics.push(r.diagnostic);
        intentsComplete = false;
        continue;
      }
      sources.set(r.source.name, r.source);
      intentFiles.push(r.source.name);
      const loaded = loadIntentSource(r.source);
      diagnostics.push(...loaded.diagnostics);
      if (hasErrors(loaded.diagnostics)) intentsComplete = false;
      intents.push(...loaded.intents);
    }
  }

  const workloads = fleet.inventory
    ? await loadInventory(fleet.inventory, fleetSource, sources, diagnostics)
    : undefined;

  // Cross-file checks run on what did load. Where an intent file was broken or missing,
  // the checks that would only echo its error (workloads naming its intents) are off.
  diagnostics.push(...crossCheck(fleet, intents, workloads, (f) => sources.get(f), { intentsComplete }));
  if (hasErrors(diagnostics)) return { diagnostics, sources };
  return {
    workspace: Object.freeze({
      fleet,
      intents: Object.freeze(intents),
      intentFiles: Object.freeze(intentFiles),
      workloads: workloads ?? Object.freeze([]),
      hasInventory: workloads !== undefined,
    }),
    diagnostics,
    sources,
  };
}

/**
 * Reads the inventory once and parses it (fast when it is valid, with positions when it is
 * not: parse-inventory.ts); its diagnostics go to `diagnostics`, its text to `sources`.
 */
async function loadInventory(
  ref: FileRef,
  fleetSource: SourceFile,
  sources: Map<string, SourceFile>,
  diagnostics: Diagnostic[],
): Promise<readonly Workload[] | undefined> {
  const r = await readReferenced(ref, LIMITS.inventoryBytes, 'inventory', fleetSource);
  if (!r.ok) {
    diagnostics.push(r.diagnostic);
    return undefined;
  }
  sources.set(r.source.name, r.source);
  const inv = parseInventory(r.source);
  diagnostics.push(...inv.diagnostics);
  return inv.workloads;
}

/** The intent files a fleet entry names; an empty folder is a warning, not an error. */
async function intentFilesAt(
  ref: FileRef,
  fleetSource: SourceFile,
  diagnostics: Diagnostic[],
): Promise<string[] | undefined> {
  const found = await filesNamed(
    ref,
    {
      extension: '.intent',
      what: 'intent path',
      expected: 'an intent file or a folder of *.intent files',
      strictFile: true,
    },
    fleetSource,
    diagnostics,
  );
  if (found?.length === 0) {
    diagnostics.push(
      diagnostic({
        code: 'fleet/no-intent-files',
        severity: 'warning',
        message: `folder "${ref.display}" holds no *.intent files`,
        span: ref.span,
        source: fleetSource,
      }),
    );
  }
  return found;
}

/** Reads a file the fleet names; a missing one or a folder is reported where the fleet names it. */
async function readReferenced(ref: FileRef, maxBytes: number, kind: string, fleetSource: SourceFile) {
  const problem = (message: string) => ({
    ok: false as const,
    diagnostic: diagnostic({
      code: 'fleet/missing-file',
      message,
      span: ref.span,
      source: fleetSource,
      expected: `a path to the ${kind} file, relative to the fleet file`,
    }),
  });
  try {
    if ((await stat(ref.path)).isDirectory()) return problem(`${kind} "${ref.display}" is a folder, not a file`);
  } catch {
    return problem(`${kind} "${ref.display}" does not exist`);
  }
  return readSource(ref.path, ref.display, maxBytes, kind);
}

function displayPathFn(cwd: string): (abs: string) => string {
  return (abs) => displayPath(cwd, abs);
}
