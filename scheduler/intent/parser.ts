import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type {
  Arg,
  AssertStmt,
  CallStmt,
  ConstraintStmt,
  Entry,
  Expr,
  Ident,
  IntentDecl,
  IntentFileAst,
  Item,
  StringLit,
  TargetStmt,
  ValidateStmt,
  Value,
} from './ast.js';
import { tokenize } from './lexer.js';
import { describeToken, type Token, type TokenKind } from './token.js';
import { clip } from '../diagnostics/clip.js';

/** Beyond this many errors in one file the rest is noise; stop and say so. */
export const MAX_ERRORS_PER_FILE = 50;
/** Nesting limit for lists and expressions, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 32;

/** Raised inside the parser to unwind to the nearest recovery point; never escapes it. */
class Bail extends Error {}

export interface ParseResult {
  readonly ast: IntentFileAst;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses an intent file. Total: any input yields an AST (possibly partial) and the list of
 * syntax errors, each located; after an error the parser resynchronises at the next item
 * so that several mistakes in one file are all reported.
 */
export function parseIntentFile(source: SourceFile): ParseResult {
  const lexed = tokenize(source);
  const p = new Parser(source, lexed.tokens, lexed.diagnostics);
  const ast = p.file();
  return { ast, diagnostics: p.diagnostics };
}

class Parser {
  readonly diagnostics: Diagnostic[];
  private pos = 0;
  private depth = 0;
  private truncated = false;

  constructor(
    private readonly source: SourceFile,
    private readonly tokens: readonly Token[],
    lexDiagnostics: readonly Diagnostic[],
  ) {
    this.diagnostics = lexDiagnostics.slice(0, MAX_ERRORS_PER_FILE);
    if (lexDiagnostics.length > MAX_ERRORS_PER_FILE) this.truncate();
  }

  file(): IntentFileAst {
    const intents: IntentDecl[] = [];
    if (this.peek().kind === 'eof' && !this.truncated && this.diagnostics.length === 0) {
      const start = { ...this.peek(), start: 0, end: 1 };
      this.error('intent/empty-file', 'intent file declares no intent', start, 'at least one `intent "name" { ... }`');
    }
    while (this.peek().kind !== 'eof' && !this.truncated) {
      const before = this.pos;
      try {
        intents.push(this.intent());
      } catch (e) {
        if (!(e instanceof Bail)) throw e;
        this.recoverTopLevel(before);
      }
    }
    return { intents };
  }

  // ---- declarations -------------------------------------------------------

  private intent(): IntentDecl {
    const kw = this.peek();
    if (!(kw.kind === 'ident' && kw.text === 'intent')) {
      this.fail(
        'intent/expected-intent',
        `expected an intent declaration, found ${describeToken(kw)}`,
        kw,
        '`intent "name" { ... }`',
      );
    }
    this.next();
    const name = this.stringLit('the intent name in double quotes, e.g. intent "payments-core"');
    this.expect('{', 'a "{" to open the intent body');
    const items: Item[] = [];
    while (this.inBlock(false)) {
      const before = this.pos;
      try {
        items.push(this.item());
      } catch (e) {
        if (!(e instanceof Bail)) throw e;
        this.recoverInBlock(before, ITEM_STARTS);
      }
    }
    const close = this.close(`a "}" to close intent "${clip(name.value)}"`);
    return { kind: 'intent', name, items, start: kw.start, end: close.end };
  }

  private item(): Item {
    const t = this.peek();
    if (t.kind !== 'ident') {
      this.fail(
        'intent/expected-item',
        `expected a constraint, target, statement or validate_state block, found ${describeToken(t)}`,
        t,
        'constraint, target, validate_state, or a statement such as ensure(...)',
      );
    }
    if (t.text === 'constraint') return this.constraint();
    if (t.text === 'target') return this.target();
    if (t.text === 'validate_state') return this.validate();
    return this.callStmt();
  }

  private constraint(): ConstraintStmt {
    const kw = this.next();
    const name = this.ident('a constraint kind, e.g. network_latency');
    this.expect('{', `a "{" to open the ${clip(name.name)} constraint`);
    const entries: Entry[] = [];
    this.separated('}', () => {
      const key = this.ident('a key, e.g. max');
      this.expect(':', `a ":" after "${clip(key.name)}"`);
      const value = this.value();
      entries.push({ key, value, start: key.start, end: value.end });
    });
    const close = this.expect('}', `a "}" to close the ${clip(name.name)} constraint`);
    return { kind: 'constraint', name, entries, start: kw.start, end: close.end };
  }

  private target(): TargetStmt {
    const kw = this.next();
    const selector = this.call('a target selector, e.g. nodes("region-tokyo-01")');
    this.expect('{', 'a "{" to open the target body');
    const body: CallStmt[] = [];
    while (this.inBlock(true)) {
      const before = this.pos;
      try {
        body.push(this.callStmt());
      } catch (e) {
        if (!(e instanceof Bail)) throw e;
        this.recoverInBlock(before, CALL_STARTS);
      }
    }
    const close = this.close('a "}" to close the target body');
    return { kind: 'target', selector, body, start: kw.start, end: close.end };
  }

  private validate(): ValidateStmt {
    const kw = this.next();
    const keyword: Ident = { kind: 'ident', name: kw.text, start: kw.start, end: kw.end };
    this.expect('(', 'validate_state takes no arguments: validate_state()');
    this.expect(')', 'validate_state takes no arguments: validate_state()');
    this.expect('{', 'a "{" to open the validate_state block');
    const assertions: AssertStmt[] = [];
    while (this.inBlock(true)) {
      const before = this.pos;
      try {
        assertions.push(this.assertion());
      } catch (e) {
        if (!(e instanceof Bail)) throw e;
        this.recoverInBlock(before, ['assert']);
      }
    }
    const close = this.close('a "}" to close the validate_state block');
    return { kind: 'validate', keyword, assertions, start: kw.start, end: close.end };
  }

  private assertion(): AssertStmt {
    const kw = this.peek();
    if (!(kw.kind === 'ident' && kw.text === 'assert')) {
      this.fail(
        'intent/expected-assert',
        `expected assert!(...), found ${describeToken(kw)}`,
        kw,
        'assert!(<predicate>)',
      );
    }
    this.next();
    this.expect('!', 'assert is written assert!(...)');
    this.expect('(', 'a "(" after assert!');
    const expr = this.expr();
    const close = this.expect(')', 'a ")" to close assert!(...)');
    return { kind: 'assert', expr, start: kw.start, end: close.end };
  }

  private callStmt(): CallStmt {
    const call = this.call('a statement such as ensure(...), on_drift(...), workloads(...)');
    const next = this.peek();
    if (!next.newlineBefore && next.kind !== '}' && next.kind !== 'eof') {
      this.fail(
        'intent/expected-newline',
        `expected a new line after ${clip(call.name.name)}(...), found ${describeToken(next)}`,
        next,
        'one statement per line',
      );
    }
    return call;
  }

  private call(expected: string): CallStmt {
    const name = this.ident(expected);
    this.expect('(', `a "(" after ${clip(name.name)}`);
    const args: Arg[] = [];
    this.separated(')', () => {
      const t = this.peek();
      const after = this.tokens[this.pos + 1];
      if (t.kind === 'ident' && after?.kind === ':') {
        const key = this.ident('an argument name');
        this.next();
        const value = this.value();
        args.push({ key, value, start: key.start, end: value.end });
      } else {
        const value = this.value();
        args.push({ value, start: value.start, end: value.end });
      }
    });
    const close = this.expect(')', `a ")" to close ${clip(name.name)}(...)`);
    return { kind: 'call', name, args, start: name.start, end: close.end };
  }

  /**
   * Items separated by commas, up to `close` (not consumed). A trailing comma is fine, and
   * a line break may stand in for a comma.
   */
  private separated(close: TokenKind, item: () => void): void {
    while (!this.at(close) && !this.at('eof') && !this.atHardKeyword()) {
      item();
      if (this.at(',')) {
        this.next();
        continue;
      }
      const t = this.peek();
      if (t.kind === close || t.newlineBefore) continue;
      if (t.kind === 'eof') break;
      this.fail(
        'intent/expected-separator',
        `expected "," or "${close}", found ${describeToken(t)}`,
        t,
        `"," between items, or "${close}"`,
      );
    }
  }

  // ---- values and expressions ---------------------------------------------

  private value(): Value {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.next();
        return { kind: 'string', value: t.text, start: t.start, end: t.end };
      case 'number':
        this.next();
        return { kind: 'number', value: Number(t.text), unit: t.unit, start: t.start, end: t.end };
      case 'ident':
        this.next();
        if (t.text === 'true' || t.text === 'false')
          return { kind: 'bool', value: t.text === 'true', start: t.start, end: t.end };
        return { kind: 'ident', name: t.text, start: t.start, end: t.end };
      case '[': {
        this.enter(t);
        this.next();
        const items: Value[] = [];
        this.separated(']', () => items.push(this.value()));
        const close = this.expect(']', 'a "]" to close the list');
        this.depth--;
        return { kind: 'list', items, start: t.start, end: close.end };
      }
      default:
        return this.fail(
          'intent/expected-value',
          `expected a value, found ${describeToken(t)}`,
          t,
          'a string, a number with its unit (15ms, 10%), true/false, a name, or a [list]',
        );
    }
  }

  private expr(): Expr {
    let left = this.andExpr();
    while (this.at('||')) {
      this.next();
      const right = this.andExpr();
      left = { kind: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private andExpr(): Expr {
    let left = this.unary();
    while (this.at('&&')) {
      this.next();
      const right = this.unary();
      left = { kind: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): Expr {
    const t = this.peek();
    this.enter(t);
    try {
      if (t.kind === '!') {
        this.next();
        const operand = this.unary();
        return { kind: 'not', operand, start: t.start, end: operand.end };
      }
      if (t.kind === '(') {
        this.next();
        const inner = this.expr();
        this.expect(')', 'a ")" to close the parenthesis');
        return inner;
      }
      if (t.kind === 'string') {
        this.next();
        return { kind: 'string', value: t.text, start: t.start, end: t.end };
      }
      if (t.kind === 'ident') {
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { kind: 'bool', value: t.text === 'true', start: t.start, end: t.end };
        }
        if (this.tokens[this.pos + 1]?.kind !== '(') {
          this.next();
          return { kind: 'ident', name: t.text, start: t.start, end: t.end };
        }
        const name = this.ident('a predicate name');
        this.next();
        const args: Expr[] = [];
        this.separated(')', () => args.push(this.expr()));
        const close = this.expect(')', `a ")" to close ${clip(name.name)}(...)`);
        return { kind: 'call', name, args, start: name.start, end: close.end };
      }
      return this.fail(
        'intent/expected-expression',
        `expected a predicate, found ${describeToken(t)}`,
        t,
        'a predicate call such as has_cyclic_dependencies(current_mesh), or !, (, true, false',
      );
    } finally {
      this.depth--;
    }
  }

  // ---- token helpers ----------------------------------------------------------

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0;
      this.fail(
        'intent/too-deep',
        `nesting is deeper than ${MAX_DEPTH} levels`,
        t,
        `at most ${MAX_DEPTH} nested lists or parentheses`,
      );
    }
  }

  /**
   * True while a block's items continue. In an intent body a new `intent` first on its
   * line ends the block; in nested blocks any item keyword does. Either way the "}" was
   * forgotten, and what follows should still be parsed.
   */
  private inBlock(nested: boolean): boolean {
    const t = this.peek();
    if (t.kind === '}' || t.kind === 'eof' || this.truncated) return false;
    if (nested) return !this.atHardKeyword();
    return !(t.kind === 'ident' && t.text === 'intent' && t.newlineBefore);
  }

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private at(kind: TokenKind): boolean {
    return this.peek().kind === kind;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private expect(kind: TokenKind, expected: string): Token {
    const t = this.peek();
    if (t.kind !== kind) {
      this.fail('intent/expected-token', `expected "${kind}", found ${describeToken(t)}`, t, expected);
    }
    return this.next();
  }

  /**
   * The "}" ending a block of items. When the file ends or the next intent starts instead,
   * the brace was simply forgotten: report it but keep what was parsed, so the items'
   * own errors are still checked.
   */
  private close(expected: string): Token {
    const t = this.peek();
    if (t.kind === '}') return this.next();
    if (t.kind === 'eof' || this.atHardKeyword()) {
      this.error('intent/unclosed-block', `expected "}", found ${describeToken(t)}`, t, expected);
      return t;
    }
    return this.fail('intent/expected-token', `expected "}", found ${describeToken(t)}`, t, expected);
  }

  private ident(expected: string): Ident {
    const t = this.peek();
    if (t.kind !== 'ident')
      this.fail('intent/expected-name', `expected a name, found ${describeToken(t)}`, t, expected);
    this.next();
    return { kind: 'ident', name: t.text, start: t.start, end: t.end };
  }

  private stringLit(expected: string): StringLit {
    const t = this.peek();
    if (t.kind !== 'string')
      this.fail('intent/expected-string', `expected a string, found ${describeToken(t)}`, t, expected);
    this.next();
    return { kind: 'string', value: t.text, start: t.start, end: t.end };
  }

  private error(code: string, message: string, at: Token, expected?: string): void {
    if (this.truncated) return;
    if (this.diagnostics.length >= MAX_ERRORS_PER_FILE) {
      this.truncate();
      return;
    }
    this.diagnostics.push(
      diagnostic({
        code,
        message,
        span: this.source.span(at.start, Math.max(at.end, at.start + 1)),
        source: this.source,
        ...(expected ? { expected } : {}),
      }),
    );
  }

  private truncate(): void {
    this.truncated = true;
    const last = this.diagnostics[this.diagnostics.length - 1];
    this.diagnostics.push(
      diagnostic({
        code: 'intent/too-many-errors',
        message: `too many errors (more than ${MAX_ERRORS_PER_FILE}); the rest of this file was not checked`,
        span: last ? last.span : this.source.span(0),
        source: this.source,
      }),
    );
  }

  private fail(code: string, message: string, at: Token, expected?: string): never {
    this.error(code, message, at, expected);
    throw new Bail();
  }

  // ---- error recovery -------------------------------------------------------

  /** Skip to the next `intent` keyword that starts a line, or the end. */
  private recoverTopLevel(from: number): void {
    if (this.pos === from) this.next();
    while (!this.at('eof')) {
      const t = this.peek();
      if (t.kind === 'ident' && t.text === 'intent' && t.newlineBefore) return;
      this.next();
    }
  }

  /**
   * Skip the rest of a broken item inside a block. Braces opened since the item began are
   * balanced first, so a broken `constraint x { ... }` is skipped whole; then we stop before
   * the block's closing "}" or at a token that starts a new item on a new line. Keywords
   * that can only start a top-level item (`constraint`, `target`, ...) stop the skip at any
   * depth: a "}" was forgotten, and what follows should still be checked.
   */
  private recoverInBlock(from: number, starts: readonly string[]): void {
    let depth = 0;
    for (let i = from; i < this.pos; i++) {
      const k = this.tokens[i]?.kind;
      if (k === '{') depth++;
      else if (k === '}') depth--;
    }
    if (this.pos === from) {
      const t = this.next();
      if (t.kind === '{') depth++;
    }
    while (!this.at('eof')) {
      const t = this.peek();
      if (this.atHardKeyword()) return;
      if (depth <= 0 && t.kind === '}') return;
      if (depth <= 0 && t.newlineBefore && t.kind === 'ident' && starts.includes(t.text)) return;
      if (t.kind === '{') depth++;
      if (t.kind === '}') depth--;
      this.next();
    }
  }

  /** A keyword that can only begin an intent or an intent item, first on its line. */
  private atHardKeyword(): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.newlineBefore && HARD_KEYWORDS.includes(t.text);
  }
}

/** Words that only ever begin an intent or one of its items, never a nested statement. */
const HARD_KEYWORDS = ['intent', 'constraint', 'target', 'validate_state'];
const CALL_STARTS = ['ensure', 'on_drift'];
const ITEM_STARTS = [
  'constraint',
  'target',
  'validate_state',
  'ensure',
  'on_drift',
  'workloads',
  'depends_on',
  'placement',
];
