/**
 * Text an intent author controls, as the operator sees it, through the built CLI: terminal
 * control sequences in an intent's strings reach no terminal raw (validate, plan, verify;
 * text and JSON), and a secret pasted where a channel name belongs is never echoed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
let dir: string;

const shisa = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shisa.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr, stdout: r.stdout };
};

/** Anything a terminal would act on: C0 but \t and \n, DEL, C1 (\p{Cc} is exactly these three), bidi overrides. */
const RAW_CONTROL = /[^\P{Cc}\t\n]|[\u202a-\u202e\u2066-\u2069]/u;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shisa-hostile-'));
  cpSync(join(ROOT, 'test', 'verify', 'fixtures', 'target-lacks-compliance'), dir, { recursive: true });
  // A certification name that clears the screen, retitles the window and reverses the text
  // after it: escapes written in the language, and the same raw in a comment-free string.
  const intent = join(dir, 'intents', 'card-vault.intent');
  const text = readFileSync(intent, 'utf8').replace(
    'level: "PCI-DSS-4"',
    'level: ["PCI-DSS-4\\u{1b}[2J\\u{1b}]0;owned\\u{7}", "ISO\u001b[31mRED\u009b1m\u202eSSAP"]',
  );
  writeFileSync(intent, text);
  writeFileSync(join(dir, 'alone.intent'), 'intent "x\\u{1b}[8m-hidden" {\n  workloads("a/b")\n}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('control characters in intent strings', () => {
  it("are shown as escapes by validate's diagnostics, in text and JSON", () => {
    const text = shisa('validate', 'alone.intent');
    expect(text.code).toBe(2);
    expect(text.out).not.toMatch(RAW_CONTROL);
    expect(text.out).toContain('"x\\u001b[8m-hidden" is not a valid intent name');
    const json = shisa('validate', 'alone.intent', '--json');
    expect(json.out).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(json.stdout) as { diagnostics: { message: string }[] }).diagnostics[0]?.message).toBe(
      '"x\u001b[8m-hidden" is not a valid intent name',
    );
  });

  it('are shown as escapes in the cores verify and plan print', () => {
    for (const args of [
      ['verify', '--config', 'fleet.yaml'],
      ['plan', '--config', 'fleet.yaml', '--no-record'],
      ['verify', '--config', 'fleet.yaml', '--json'],
      ['plan', '--config', 'fleet.yaml', '--no-record', '--json'],
    ]) {
      const r = shisa(...args);
      expect(r.code, r.out).toBe(3);
      expect(r.out, args.join(' ')).not.toMatch(RAW_CONTROL);
      if (args.includes('--json')) expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
      else expect(r.out).toContain('PCI-DSS-4\\u001b[2J\\u001b]0;owned\\u0007');
    }
  });
});

describe('a secret pasted where a notify channel name belongs', () => {
  it('is never echoed by validate, in text or JSON', () => {
    const secret = 'https://hooks.slack.com/services/T0HOSTILE/B0HOSTILE/hostileSecretXyZ987';
    const intent = join(dir, 'intents', 'card-vault.intent');
    writeFileSync(
      intent,
      readFileSync(intent, 'utf8').replace(
        'target nodes("region-osaka-01") {}',
        `target nodes("region-osaka-01") {\n    on_drift(action: "alert", notify: "${secret}")\n  }`,
      ),
    );
    for (const args of [
      ['validate', 'fleet.yaml'],
      ['validate', 'fleet.yaml', '--json'],
      ['plan', '--config', 'fleet.yaml', '--no-record'],
    ]) {
      const r = shisa(...args);
      expect(r.code, r.out).toBe(2);
      expect(r.out).toMatch(/notify/);
      expect(r.out).not.toContain('hooks.slack.com/services');
      expect(r.out).not.toContain('T0HOSTILE');
      expect(r.out).not.toContain('hostileSecretXyZ987');
    }
  });
});
