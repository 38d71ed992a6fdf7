/**
 * Try `shisa serve` without Kubernetes, Electricity Maps or Slack: starts FAKES of all three
 * in this process on 127.0.0.1 (test/serve/serve-world.ts: three clusters, the Electricity
 * Maps API replaying the shipped 2022 traces as this week's readings, Slack incoming
 * webhooks), then `shisa serve` on that world with a schedule of every 20 seconds, printing
 * its log and every message Slack receives, rendered. Ctrl-C stops the service (SIGTERM)
 * and the fakes.
 *
 *   npm run build && npx tsx scripts/try-serve.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/clusters/example-clusters.js';
import { renderText } from '../test/notify/slack-examples.js';
import { nodeOf, OSLO, READ_TOKEN, startServeWorld, WEB_CHECK, WRITE_TOKEN } from '../test/serve/serve-world.js';
import type { SlackMessage } from '../scheduler/notify/slack-blocks.js';

const PORT = 8470;

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-try-serve-'));
  const world = await startServeWorld(dir, { schedule: '*/20 * * * * *', verifyWindow: '10s' });
  const api = `http://127.0.0.1:${PORT}`;
  process.stdout.write(banner(world.fleet, api));
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'shisa.js'),
      'serve',
      '--config',
      world.fleet,
      '--kubeconfig',
      world.kubeconfig,
      '--listen',
      `127.0.0.1:${PORT}`,
    ],
    { env: { PATH: process.env.PATH, HOME: dir, ...world.env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  child.stdout.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n').filter(Boolean)) {
      try {
        const l = JSON.parse(line) as { time: string; level: string; msg: string };
        process.stdout.write(`${l.time.slice(11, 19)} ${l.level.padEnd(5)} ${l.msg}\n`);
      } catch {
        process.stdout.write(`${line}\n`);
      }
    }
  });
  let shown = 0;
  const slack = setInterval(() => {
    for (const r of world.slack.requests.slice(shown).filter((x) => x.status === 200)) {
      const hook = /\/B([a-z]+)\//.exec(r.hook)?.[1] ?? r.hook;
      process.stdout.write(`\n── Slack #${hook} ──\n${renderText(r.payload as SlackMessage)}\n\n`);
    }
    shown = world.slack.requests.length;
  }, 500);
  const code = await new Promise<number>((resolve) => {
    process.once('SIGINT', () => child.kill('SIGTERM'));
    process.once('SIGTERM', () => child.kill('SIGTERM'));
    child.once('close', (c) => resolve(c ?? 1));
  });
  clearInterval(slack);
  await world.close();
  rmSync(dir, { recursive: true, force: true });
  return code;
}

function banner(fleet: string, api: string): string {
  const verdict = JSON.stringify({
    node: nodeOf(OSLO),
    changes: [
      {
        at: '2026-12-04T00:00:00Z',
        from: 'unknown',
        verdict: {
          key: WEB_CHECK,
          workload: 'api/web',
          state: 'violated',
          reason: 'p99 88 ms',
          maxMs: 60,
          evidence: { samples: 120, p99Ms: 88 },
        },
      },
    ],
  });
  return [
    'FAKE Kubernetes clusters, Electricity Maps and Slack (test doubles on 127.0.0.1), and',
    `shisa serve on ${fleet}, every 20 s. Ctrl-C stops it.`,
    '',
    'In another shell:',
    `  curl -s -H 'authorization: Bearer ${READ_TOKEN}' ${api}/v1/runs`,
    `  curl -s -H 'authorization: Bearer ${READ_TOKEN}' ${api}/metrics`,
    `  curl -s -X POST -H 'authorization: Bearer ${WRITE_TOKEN}' ${api}/v1/runs`,
    `  # play Oslo's enforcer while api/web is verifying there (a violated verdict rolls the move back):`,
    `  curl -s -X POST -H 'authorization: Bearer ${WRITE_TOKEN}' -H 'content-type: application/json' \\`,
    `    ${api}/v1/verdicts -d '${verdict}'`,
    '',
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`try-serve: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
