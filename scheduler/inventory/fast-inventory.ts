/**
 * A fast reader for the plain shape inventories are written in: a top-level `workloads:`
 * followed by one item per workload, each a one-line flow mapping (`- { name: a/b, cpu: 2 }`)
 * or a block mapping of one-line `key: value` entries, values being plain or simply quoted
 * scalars or one-line flow lists of them. It keeps only what the inventory needs later (the
 * offsets of each name and each depends_on entry), not a node per value.
 *
 * It reads a strict subset of YAML 1.2 and gives exactly what the full parser
 * (yaml-source.ts) gives for it: anything outside the subset — anchors, tags, multi-line
 * values, duplicate keys, unusual scalars, tabs, lone CRs — makes it decline (undefined),
 * and the caller parses the same text with the full parser instead. It never reports an
 * error: every error, with its location, comes from the full parser.
 */

/** One workload mapping as read, plus where its name and dependencies were written. */
export interface FastItem {
  readonly value: Record<string, unknown>;
  /** [start, end) offsets of the value of `name`, if given as a scalar. */
  readonly name?: readonly [number, number];
  /** [start, end) offsets of each depends_on entry, if given as a flow list. */
  readonly dependsOn?: readonly (readonly [number, number])[];
}

/** What the full parser would give as data, or undefined when the text is outside the subset. */
export function readFastInventory(text: string): FastItem[] | undefined {
  try {
    return new Reader(text).document();
  } catch (err) {
    if (err instanceof Declined) return undefined;
    throw err;
  }
}

/** The text is outside the subset; thrown once, caught by readFastInventory. */
class Declined extends Error {}
const DECLINED = new Declined('outside the fast subset');
const decline = (): never => {
  throw DECLINED;
};

const KEY = /[a-z_][a-z0-9_]*/y;
/** Plain scalars read as strings by the YAML 1.2 core schema (never null, bool or a number). */
const WORD = /[A-Za-z][A-Za-z0-9._/-]*/y;
const NUMBER = /(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?(?![A-Za-z0-9._/:+-])/y;
const TIME = /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2})/y;
/** Quoted on one line without escapes (control characters are refused before reading). */
const DOUBLE = /"[^"\\\r\n]*"/y;
const SINGLE = /'[^'\r\n]*'/y;
/** Characters that may follow a plain scalar in flow context or at the end of a line. */
const PLAIN_END = /[ ,\]}\r\n]|$/y;
const NOT_STRING = new Set(['true', 'false', 'null']);

interface Scalar {
  readonly value: unknown;
  readonly start: number;
  readonly end: number;
}

class Reader {
  private pos = 0;

  constructor(private readonly text: string) {
    if (hasUnusualCharacters(text)) decline();
  }

  document(): FastItem[] {
    this.skipBlankLines();
    if (!this.text.startsWith('workloads:', this.pos)) decline();
    this.pos += 'workloads:'.length;
    this.endOfLine();
    this.skipBlankLines();
    const indent = this.indent();
    const items: FastItem[] = [];
    while (this.pos < this.text.length) {
      if (this.indent() !== indent || !this.text.startsWith('- ', this.pos + indent)) decline();
      this.pos += indent + 1;
      this.spaces();
      items.push(this.text[this.pos] === '{' ? this.flowItem() : this.blockItem(indent));
      this.skipBlankLines();
    }
    if (items.length === 0) decline();
    return items;
  }

  /** `{ key: value, … }` on the rest of the line. */
  private flowItem(): FastItem {
    this.pos++; // {
    const item = new Item();
    this.spaces();
    if (this.text[this.pos] === '}') decline();
    for (;;) {
      const key = this.key();
      item.set(key, this.value());
      this.spaces();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') break;
      if (c !== ',') decline();
      this.spaces();
    }
    this.endOfLine();
    return item.done();
  }

  /** `key: value` here, then one per line at the same column, until the next item. */
  private blockItem(itemIndent: number): FastItem {
    const column = this.pos - this.lineStart();
    const item = new Item();
    for (;;) {
      const key = this.key();
      item.set(key, this.value());
      this.endOfLine();
      this.skipBlankLines();
      if (this.pos >= this.text.length) break;
      const indent = this.indent();
      if (indent === itemIndent) break;
      if (indent !== column) decline();
      this.pos += indent;
    }
    return item.done();
  }

  /** A key and the `: ` after it. */
  private key(): string {
    const key = this.match(KEY) ?? decline();
    if (this.text[this.pos] !== ':' || this.text[this.pos + 1] !== ' ') decline();
    this.pos += 2;
    this.spaces();
    return key;
  }

  private value(): Scalar | Scalar[] {
    if (this.text[this.pos] !== '[') return this.scalar();
    this.pos++;
    const list: Scalar[] = [];
    this.spaces();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return list;
    }
    for (;;) {
      list.push(this.scalar());
      this.spaces();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return list;
      if (c !== ',') decline();
      this.spaces();
    }
  }

  private scalar(): Scalar {
    const start = this.pos;
    const quoted = this.match(DOUBLE) ?? this.match(SINGLE);
    if (quoted !== undefined) return { value: quoted.slice(1, -1), start, end: this.pos };
    const number = this.match(NUMBER);
    if (number !== undefined) return { value: Number(number), start, end: this.pos };
    const plain = this.match(TIME) ?? this.match(WORD) ?? decline();
    if (NOT_STRING.has(plain.toLowerCase())) decline();
    PLAIN_END.lastIndex = this.pos;
    if (!PLAIN_END.test(this.text)) decline();
    return { value: plain, start, end: this.pos };
  }

  private match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos = re.lastIndex;
    return m[0];
  }

  private spaces(): void {
    while (this.text.charCodeAt(this.pos) === 32) this.pos++;
  }

  /** Spaces, an optional comment after at least one space, and the line break (or the end). */
  private endOfLine(): void {
    const before = this.pos;
    this.spaces();
    if (this.text[this.pos] === '#' && this.pos > before) this.toNextLine();
    else if (!this.lineBreak()) decline();
  }

  private lineBreak(): boolean {
    if (this.pos >= this.text.length) return true;
    if (this.text[this.pos] === '\n') this.pos += 1;
    else if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else return false;
    return true;
  }

  private toNextLine(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl === -1 ? this.text.length : nl + 1;
  }

  /** Skips lines holding only spaces or a comment; stops at the start of the next other line. */
  private skipBlankLines(): void {
    while (this.pos < this.text.length) {
      let p = this.pos;
      while (this.text.charCodeAt(p) === 32) p++;
      const c = this.text[p];
      if (c === '#') {
        this.pos = p;
        this.toNextLine();
      } else if (c === '\n' || c === '\r' || p >= this.text.length) {
        this.pos = p;
        if (!this.lineBreak()) decline();
      } else {
        return;
      }
    }
  }

  /** The spaces at the start of the line at `pos` (which is a line start). */
  private indent(): number {
    let p = this.pos;
    while (this.text.charCodeAt(p) === 32) p++;
    return p - this.pos;
  }

  private lineStart(): number {
    return this.text.lastIndexOf('\n', this.pos - 1) + 1;
  }
}

/** Tabs, lone CRs, a byte-order mark, other control characters: left to the full parser. */
function hasUnusualCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 32 && c !== 127 && c !== 0xfeff) continue;
    if (c === 10) continue;
    if (c === 13 && text.charCodeAt(i + 1) === 10) continue;
    return true;
  }
  return false;
}

/** One mapping being read: each key once, scalars and lists turned into plain values. */
class Item {
  private readonly value: Record<string, unknown> = {};
  private name?: readonly [number, number];
  private dependsOn?: (readonly [number, number])[];

  set(key: string, v: Scalar | Scalar[]): void {
    // A duplicate key is an error the full parser locates; so is a key the prototype owns.
    if (Object.prototype.hasOwnProperty.call(this.value, key) || key === '__proto__') decline();
    if (Array.isArray(v)) {
      this.value[key] = v.map((s) => s.value);
      if (key === 'depends_on') this.dependsOn = v.map((s) => [s.start, s.end] as const);
    } else {
      this.value[key] = v.value;
      if (key === 'name') this.name = [v.start, v.end];
    }
  }

  done(): FastItem {
    return {
      value: this.value,
      ...(this.name ? { name: this.name } : {}),
      ...(this.dependsOn ? { dependsOn: this.dependsOn } : {}),
    };
  }
}
