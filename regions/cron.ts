/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week, UTC), in the
 * dialect the scheduler runs them with: node-cron 4. A sixth, leading field of seconds is
 * taken too (node-cron's own extension; docs/adr/0019): a cadence under a minute is for
 * demonstrations and tests, and the fleet check warns of it. Checks each field, says which one is
 * wrong, and refuses a schedule that can never fire.
 *
 * Days follow node-cron, not Vixie cron: a day must match the day-of-month field AND the
 * day-of-week field (node-cron 4's TimeMatcher.match ANDs every field), so `0 0 13 * 5` is
 * Friday the 13th only. Vixie cron and Kubernetes CronJobs would fire on every 13th and
 * every Friday. Because every real date falls on every weekday in some year, only the
 * day-of-month and month fields decide whether a schedule can fire at all.
 *
 * shisa's dialect is a subset of node-cron's: names are three letters, ranges run forwards,
 * a step needs `*` or a range before it (node-cron refuses `5/15`), and the Quartz-style
 * tokens node-cron also knows (`L`, `W`, `#`, `?`) are not accepted.
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** What `*` stands for, when it is not min–max (day of week: 0–6, 7 being Sunday again). */
  readonly star?: readonly [number, number];
}

const SECOND: Field = { name: 'second', min: 0, max: 59 };

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], star: [0, 6] },
];

const MACROS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
};

/** Days in each month (1-based) in a leap year: a day that exists in some year. */
const LONGEST_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const MONTH_NAMES = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** The values each field allows, in field order (day of week with 7 as 0). */
export interface CronFields {
  /** {0} for a five-field expression: it fires at the start of its minutes. */
  readonly second: ReadonlySet<number>;
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dayOfMonth: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dayOfWeek: ReadonlySet<number>;
}

/** The fields of a valid expression, or what is wrong with it. */
export function parseCron(expr: string): { readonly fields: CronFields } | { readonly problem: string } {
  const text = MACROS[expr.trim()] ?? expr.trim();
  const all = text.split(/\s+/);
  if (all.length !== 5 && all.length !== 6) {
    return {
      problem:
        'a cron schedule has 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, ' +
        `found ${all.length}`,
    };
  }
  const seconds = all.length === 6 ? fieldValues(all[0]!, SECOND) : new Set([0]);
  if (typeof seconds === 'string') return { problem: `second field "${all[0]}": ${seconds}` };
  const parts = all.slice(-5);
  const sets: Set<number>[] = [];
  for (let i = 0; i < 5; i++) {
    const field = FIELDS[i] as Field;
    const values = fieldValues(parts[i] as string, field);
    if (typeof values === 'string') return { problem: `${field.name} field "${parts[i]}": ${values}` };
    sets.push(values);
  }
  const [minute, hour, dayOfMonth, month, week] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const dayOfWeek = new Set([...week].map((d) => d % 7));
  return { fields: { second: seconds, minute, hour, dayOfMonth, month, dayOfWeek } };
}

/** Undefined when the expression is valid and can fire, else what is wrong with it. */
export function cronProblem(expr: string): string | undefined {
  const parsed = parseCron(expr);
  if ('problem' in parsed) return parsed.problem;
  const never = neverFires(parsed.fields);
  return never === undefined ? undefined : `never fires: ${never}`;
}

/**
 * Why a schedule can never fire: no allowed month has any of the allowed days (`0 0 31 2 *`,
 * `0 0 30 2 *`, `0 0 31 4,6,9,11 *`). 29 February counts as a day: it comes in leap years.
 */
export function neverFires(f: CronFields): string | undefined {
  const months = [...f.month].sort((a, b) => a - b);
  const days = [...f.dayOfMonth].sort((a, b) => a - b);
  if (months.some((m) => days.some((d) => d <= LONGEST_MONTH[m]!))) return undefined;
  const names = months.map((m) => MONTH_NAMES[m]!);
  return `${list(names, 'and')} ${names.length === 1 ? 'has' : 'have'} no day ${list(days.map(String), 'or')}`;
}

/** Whether it fires more than once a minute: a cadence for a demonstration, not for a fleet. */
export function firesWithinAMinute(f: CronFields): boolean {
  return f.second.size > 1;
}

/** Whether the only day a schedule can fire on is 29 February, so at most once in four years. */
export function onlyOnLeapDay(f: CronFields): boolean {
  const fires = [...f.month].flatMap((m) =>
    [...f.dayOfMonth].filter((d) => d <= LONGEST_MONTH[m]!).map((d) => `${m}-${d}`),
  );
  return fires.length > 0 && fires.every((md) => md === '2-29');
}

function list(items: readonly string[], conjunction: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** The values a field allows, or what is wrong with it. */
function fieldValues(text: string, f: Field): Set<number> | string {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') return 'expected a value, range, list or step';
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= f.max)) {
      return `step "${step}" must be a whole number from 1 to ${f.max}`;
    }
    const ends = rangeEnds(range, f);
    if (typeof ends === 'string') return ends;
    // node-cron refuses a step after a single value ("5/15"); Vixie cron reads it differently.
    if (step !== undefined && range !== '*' && !range.includes('-'))
      return `a step needs * or a range before it, e.g. "${ends[0]}-${f.max}/${step}"`;
    for (let v = ends[0]; v <= ends[1]; v += step === undefined ? 1 : Number(step)) out.add(v);
  }
  return out;
}

/** First and last value of `*`, `a` or `a-b`, or what is wrong with it. */
function rangeEnds(range: string, f: Field): readonly [number, number] | string {
  if (range === '*') return f.star ?? [f.min, f.max];
  const ends = range.split('-');
  if (ends.length > 2) return `"${range}" is not a range`;
  const values = ends.map((e) => value(e, f));
  for (let k = 0; k < ends.length; k++) {
    if (values[k] === undefined) {
      const orName = f.names ? ' or a name such as ' + f.names[1] : '';
      return `"${ends[k]}" is not a number from ${f.min} to ${f.max}${orName}`;
    }
  }
  const [first, last = first] = values as [number, number?];
  if (first > last) return `range "${range}" runs backwards`;
  return [first, last];
}

function value(text: string, f: Field): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= f.min && n <= f.max ? n : undefined;
  }
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  return i >= 0 ? i + f.min : undefined;
}
