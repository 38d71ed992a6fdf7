/** A position in a source file: 1-based line and column (column counts UTF-16 code units). */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** A value from a user's file, with where it was written. */
export interface Located<T> {
  readonly value: T;
  readonly span: Span;
}

/**
 * A located range in a named file; offsets are 0-based, end exclusive. A span on an object
 * read from a cluster rather than a file carries that object (see object-span.ts); its file
 * is then `cluster <name>` and its offsets, line and column are 0.
 */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly col: number;
  readonly object?: ObjectRef;
}

/** An object of a Kubernetes cluster, and optionally one field of it: the `file:line` of a cluster. */
export interface ObjectRef {
  /** The cluster (kubeconfig context) it was read from. */
  readonly cluster: string;
  /** Absent for cluster-scoped objects such as Nodes. */
  readonly namespace?: string;
  /** `Deployment`, `CronJob`, `Node`, … */
  readonly kind: string;
  readonly name: string;
  /** A field path as kubectl explain writes it, e.g. `spec.template.spec.containers[0].resources.requests.cpu`. */
  readonly field?: string;
}

/**
 * The text of one input file with a line index, so any offset can be turned into
 * line:col and any line can be quoted in an error excerpt.
 */
export class SourceFile {
  readonly name: string;
  readonly text: string;
  private readonly lineStarts: number[];

  constructor(name: string, text: string) {
    this.name = name;
    this.text = text;
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.lineStarts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: o - (this.lineStarts[lo] ?? 0) + 1 };
  }

  span(start: number, end: number = start): Span {
    const { line, col } = this.position(start);
    return { file: this.name, start, end: Math.max(start, end), line, col };
  }

  /** The text of a 1-based line without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    let end = next === undefined ? this.text.length : next;
    while (end > start && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return this.text.slice(start, end);
  }

  /** Offset of the first character of a 1-based line. */
  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line - 1, this.lineStarts.length - 1))] ?? 0;
  }
}
