import { afterAll, describe, expect, it } from 'vitest';
import type { ConstraintRef } from './proof.js';
import { checkQuick, checkTracked, SmtLiteralError, smtInt, SmtWriter } from './prove.js';
import { shutdownZ3 } from './z3.js';

const ref = (id: string, line: number): ConstraintRef => ({
  id,
  kind: 'capacity',
  text: id,
  span: { file: 'f.yaml', start: 0, end: 0, line, col: 1 },
});

afterAll(shutdownZ3);

describe('checkTracked', () => {
  it('shrinks the core to a minimal one, in source order, the same every run', async () => {
    // x ≥ 5 and x ≤ 3 conflict; x ≤ 4 also conflicts with x ≥ 5; x ≥ 0 is innocent.
    const w = new SmtWriter();
    w.line('(declare-const x Int)');
    w.line(`(assert (=> ${w.track(ref('x>=0', 1))} (>= x 0)))`);
    w.line(`(assert (=> ${w.track(ref('x<=4', 2))} (<= x 4)))`);
    w.line(`(assert (=> ${w.track(ref('x<=3', 3))} (<= x 3)))`);
    w.line(`(assert (=> ${w.track(ref('x>=5', 4))} (>= x 5)))`);
    const q = w.build();
    const answers = await Promise.all([checkTracked(q, 5_000), checkTracked(q, 5_000)]);
    for (const a of answers) {
      expect(a.status).toBe('unsat');
      if (a.status !== 'unsat') return;
      // Minimal: two constraints, and dropping either makes the rest satisfiable.
      expect(a.core.map((c) => c.id)).toHaveLength(2);
      expect(a.core.map((c) => c.id)).toContain('x>=5');
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('answers sat when the tracked constraints hold together, and shares one assumption per ref id', async () => {
    const w = new SmtWriter();
    w.line('(declare-const y Int)');
    const a = w.track(ref('same', 1));
    const b = w.track(ref('same', 9));
    expect(a).toBe(b);
    w.line(`(assert (=> ${a} (> y 1)))`);
    expect((await checkTracked(w.build(), 5_000)).status).toBe('sat');
  });

  it('reports unknown, never a pass, when Z3 runs out of time', async () => {
    // A hard nonlinear question with a 1 ms limit.
    const w = new SmtWriter();
    w.line('(declare-const a Int) (declare-const b Int) (declare-const c Int)');
    w.line(
      `(assert (=> ${w.track(ref('fermat', 1))} (and (> a 0) (> b 0) (> c 0) (= (+ (* a a a) (* b b b)) (* c c c)))))`,
    );
    const answer = await checkTracked(w.build(), 1);
    expect(answer.status).toBe('unknown');
  });
});

describe('smtInt', () => {
  it('writes integers as plain decimal numerals, negatives as (- n)', () => {
    expect(smtInt(0)).toBe('0');
    expect(smtInt(-0)).toBe('0');
    expect(smtInt(42)).toBe('42');
    expect(smtInt(-42)).toBe('(- 42)');
    expect(smtInt(1e15)).toBe('1000000000000000');
    expect(smtInt(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(smtInt(-Number.MAX_SAFE_INTEGER)).toBe('(- 9007199254740991)');
  });

  it.each([1e23, 2 ** 53, -(2 ** 53), 1.5, Infinity, -Infinity, NaN])(
    'refuses %s with a typed error and a stable code',
    (n) => {
      let thrown: unknown;
      try {
        smtInt(n);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(SmtLiteralError);
      expect((thrown as SmtLiteralError).code).toBe('SMT_NOT_A_SAFE_INTEGER');
      expect((thrown as SmtLiteralError).value).toBe(n);
    },
  );

  it('writes what Z3 reads as the same number, at the largest and most negative safe values', async () => {
    // x = MAX and y = -MAX hold together with x + y = 0 only if both literals mean what they say.
    const q = (x: number, y: number, sum: number) => {
      const w = new SmtWriter();
      w.line('(declare-const x Int) (declare-const y Int)');
      w.line(`(assert (and (= x ${smtInt(x)}) (= y ${smtInt(y)}) (= (+ x y) ${smtInt(sum)})))`);
      return w.build();
    };
    expect((await checkQuick(q(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0), 5_000)).status).toBe('sat');
    expect((await checkQuick(q(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1), 5_000)).status).toBe('unsat');
    expect((await checkQuick(q(-7, -5, -12), 5_000)).status).toBe('sat');
  });
});
