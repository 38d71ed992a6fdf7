/**
 * Syntax tree of an intent file, exactly as written: no meaning is attached here (that is
 * the checker's job), only structure and the source offsets of every node.
 */

export interface Node {
  readonly start: number;
  readonly end: number;
}

export interface Ident extends Node {
  readonly kind: 'ident';
  readonly name: string;
}

export interface StringLit extends Node {
  readonly kind: 'string';
  readonly value: string;
}

export interface NumberLit extends Node {
  readonly kind: 'number';
  readonly value: number;
  /** '' when no unit was written. */
  readonly unit: string;
}

export interface BoolLit extends Node {
  readonly kind: 'bool';
  readonly value: boolean;
}

export interface ListLit extends Node {
  readonly kind: 'list';
  readonly items: readonly Value[];
}

export type Value = Ident | StringLit | NumberLit | BoolLit | ListLit;

/** `key: value` inside a constraint block or a call's argument list. */
export interface Entry extends Node {
  readonly key: Ident;
  readonly value: Value;
}

/** An argument of a call: positional (`"a"`) or named (`action: "rollback"`). */
export interface Arg extends Node {
  readonly key?: Ident;
  readonly value: Value;
}

/** `name(args)` used as a statement: ensure(...), on_drift(...), workloads(...), ... */
export interface CallStmt extends Node {
  readonly kind: 'call';
  readonly name: Ident;
  readonly args: readonly Arg[];
}

/** `constraint kind { key: value, ... }` */
export interface ConstraintStmt extends Node {
  readonly kind: 'constraint';
  readonly name: Ident;
  readonly entries: readonly Entry[];
}

/** `target selector(args) { statements }` */
export interface TargetStmt extends Node {
  readonly kind: 'target';
  readonly selector: CallStmt;
  readonly body: readonly CallStmt[];
}

export type Expr =
  | { readonly kind: 'not'; readonly operand: Expr; readonly start: number; readonly end: number }
  | {
      readonly kind: 'and' | 'or';
      readonly left: Expr;
      readonly right: Expr;
      readonly start: number;
      readonly end: number;
    }
  | {
      readonly kind: 'call';
      readonly name: Ident;
      readonly args: readonly Expr[];
      readonly start: number;
      readonly end: number;
    }
  | Ident
  | StringLit
  | BoolLit;

/** `assert!(expr)` */
export interface AssertStmt extends Node {
  readonly kind: 'assert';
  readonly expr: Expr;
}

/** `validate_state() { assert!(...) ... }` */
export interface ValidateStmt extends Node {
  readonly kind: 'validate';
  readonly keyword: Ident;
  readonly assertions: readonly AssertStmt[];
}

export type Item = ConstraintStmt | TargetStmt | CallStmt | ValidateStmt;

/** `intent "name" { items }` */
export interface IntentDecl extends Node {
  readonly kind: 'intent';
  readonly name: StringLit;
  readonly items: readonly Item[];
}

export interface IntentFileAst {
  readonly intents: readonly IntentDecl[];
}
