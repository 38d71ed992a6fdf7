/**
 * Checks a five-field cron expression (minute hour day-of-month month day-of-week), the
 * dialect node-cron and Kubernetes CronJobs accept, and says which field is wrong.
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
};

/** Returns undefined when the expression is valid, else what is wrong with it. */
export function cronProblem(expr: string): string | undefined {
  const text = MACROS[expr.trim()] ?? expr.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    return `a cron schedule has 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`;
  }
  for (let i = 0; i < 5; i++) {
    const field = FIELDS[i] as Field;
    const problem = fieldProblem(parts[i] as string, field);
    if (problem !== undefined) return `${field.name} field "${parts[i]}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, f: Field): string | undefined {
  for (const item of text.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') return 'expected a value, range, list or step';
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= f.max)) {
      return `step "${step}" must be a whole number from 1 to ${f.max}`;
    }
    if (range === '*') continue;
    const ends = range.split('-');
    if (ends.length > 2) return `"${range}" is not a range`;
    const values = ends.map((e) => value(e, f));
    for (let k = 0; k < ends.length; k++) {
      if (values[k] === undefined) return `"${ends[k]}" is not a number from ${f.min} to ${f.max}${f.names ? ' or a name such as ' + f.names[1] : ''}`;
    }
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) return `range "${range}" runs backwards`;
  }
  return undefined;
}

function value(text: string, f: Field): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= f.min && n <= f.max ? n : undefined;
  }
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  return i >= 0 ? i + f.min : undefined;
}
