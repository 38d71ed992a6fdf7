import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import { diagnostic, type Diagnostic } from '../../scheduler/diagnostics/diagnostic.js';
import { clip } from '../../scheduler/diagnostics/clip.js';
import type { SourceFile, Span } from '../../scheduler/diagnostics/source-file.js';

/** A parsed YAML file that can say where any value or key came from. */
export interface YamlSource {
  readonly source: SourceFile;
  readonly data: unknown;
  /** Span of the value at `path` (or of its nearest existing ancestor). */
  valueSpan(path: readonly PropertyKey[]): Span;
  /** Span of the key `key` in the mapping at `path`, falling back to the mapping itself. */
  keySpan(path: readonly PropertyKey[], key: string): Span;
}

/**
 * Parses YAML 1.2 (so `NO` stays the string "NO") keeping node positions. Syntax errors,
 * duplicate keys and alias bombs become located diagnostics; `kind` names the file's role
 * in messages ("fleet file", "inventory").
 */
export function parseYamlSource(
  source: SourceFile,
  kind: string,
  code: string,
): { yaml?: YamlSource; diagnostics: Diagnostic[] } {
  const doc = parseDocument(withLineFeeds(source.text), {
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  const diagnostics = syntaxDiagnostics(doc, source, kind, code);
  if (diagnostics.length > 0) return { diagnostics };
  // Keys must be plain names: a list or mapping used as a key would be silently stringified.
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        const range = (pair.key as Node).range ?? [0, 0, 0];
        diagnostics.push(
          diagnostic({
            code: `${code}/yaml-syntax`,
            message: `${kind}: a key must be a plain name, not a list or mapping`,
            span: source.span(range[0], range[1]),
            source,
            expected: 'key: value',
          }),
        );
      }
    },
  });
  if (diagnostics.length > 0) return { diagnostics };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    diagnostics.push(
      diagnostic({
        code: `${code}/empty-file`,
        message: `${kind} is empty`,
        span: source.span(0),
        source,
        expected: `a YAML mapping with the ${kind}'s keys`,
      }),
    );
    return { diagnostics };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // toJS throws only for alias abuse (e.g. "billion laughs"); report it as input error.
    diagnostics.push(
      diagnostic({
        code: `${code}/yaml-syntax`,
        message: `${kind}: ${err instanceof Error ? err.message : String(err)}`,
        span: source.span(0),
        source,
        expected: 'YAML with a bounded number of aliases',
      }),
    );
    return { diagnostics };
  }
  return { yaml: new LocatedYaml(source, doc, data), diagnostics };
}

/** The parser's errors as located diagnostics: duplicate keys at the key, the rest as syntax errors. */
function syntaxDiagnostics(doc: Document.Parsed, source: SourceFile, kind: string, code: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    if (e.code === 'DUPLICATE_KEY') {
      const key = /^[^:\s,{}[\]]+/.exec(source.text.slice(start, start + 200))?.[0] ?? '';
      diagnostics.push(
        diagnostic({
          code: `${code}/duplicate-key`,
          message: `key "${clip(key)}" is given twice in the same mapping`,
          span: source.span(start, start + Math.max(1, key.length)),
          source,
          expected: 'each key once per mapping',
        }),
      );
      continue;
    }
    diagnostics.push(
      diagnostic({
        code: `${code}/yaml-syntax`,
        message: `${kind}: ${
          e.code === 'MULTIPLE_DOCS'
            ? `holds more than one YAML document (a second "---"); a ${kind} is one document`
            : yamlMessage(e.message)
        }`,
        span: source.span(start, end),
        source,
        expected: 'valid YAML',
      }),
    );
  }
  return diagnostics;
}

/**
 * The text with every lone CR (old Mac line ends) turned into LF. YAML 1.2 counts a lone CR
 * as a line break, as SourceFile does, but the yaml package reads it as part of the line.
 * One character for one keeps every offset, so positions still match the SourceFile.
 */
function withLineFeeds(text: string): string {
  return text.replace(/\r(?!\n)/g, '\n');
}

function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  const text = first.replace(/\s+at line \d+, column \d+:?\s*$/, '').trim();
  return text.charAt(0).toLowerCase() + text.slice(1);
}

class LocatedYaml implements YamlSource {
  constructor(
    readonly source: SourceFile,
    private readonly doc: Document.Parsed,
    readonly data: unknown,
  ) {}

  valueSpan(path: readonly PropertyKey[]): Span {
    const node = this.nodeAt(path);
    const range = node?.range ?? [0, 0, 0];
    return this.source.span(range[0], range[1]);
  }

  keySpan(path: readonly PropertyKey[], key: string): Span {
    const node = this.nodeAt(path);
    if (isMap(node)) {
      for (const item of node.items) {
        if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) {
          return this.source.span(item.key.range[0], item.key.range[1]);
        }
      }
    }
    return this.valueSpan(path);
  }

  /** The deepest node along `path` that exists. */
  private nodeAt(path: readonly PropertyKey[]): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      let next: unknown;
      if (isMap(node)) {
        next = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key))?.value;
      } else if (isSeq(node) && typeof key === 'number') {
        next = node.items[key];
      }
      if (next === undefined || next === null) break;
      node = next;
    }
    return node as Node | undefined;
  }
}
