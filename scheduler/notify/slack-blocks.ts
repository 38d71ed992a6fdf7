/**
 * Block Kit building blocks for Slack incoming webhooks, kept within Slack's published limits.
 * Slack rejects a whole message (400 `invalid_blocks`) when one block is over a limit, and a
 * rejected notification is a lost one, so every helper here truncates instead of exceeding:
 * a cut string ends in "…", a cut list ends in "… and N more".
 */

/** Slack's limits (api.slack.com/reference/block-kit/blocks). */
export const LIMITS = {
  headerChars: 150,
  sectionTextChars: 3000,
  fields: 10,
  fieldChars: 2000,
  blocks: 50,
  /** Slack accepts far more in `text`, but it is the notification preview: keep it a paragraph. */
  fallbackChars: 3000,
} as const;

export interface PlainText {
  readonly type: 'plain_text';
  readonly text: string;
}
export interface Mrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
}
export type Block =
  | { readonly type: 'header'; readonly text: PlainText }
  | { readonly type: 'section'; readonly text?: Mrkdwn; readonly fields?: readonly Mrkdwn[] }
  | { readonly type: 'context'; readonly elements: readonly Mrkdwn[] }
  | { readonly type: 'divider' };

/** An incoming-webhook payload: `text` is what notifications and old clients show. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Block[];
}

/**
 * C0/C1 controls (newlines included: a name must stay on its line) and the bidirectional
 * overrides that can make a name read as something else.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from outside (a workload, a zone, a file name) with its control characters removed. */
export function clean(text: string): string {
  return text.replace(CONTROL, '');
}

/**
 * Text from outside, made inert for mrkdwn: Slack reads `<…>` as a link or a mention
 * (`<!channel>`, `<@U123>`), so `&`, `<` and `>` become entities, as Slack documents.
 */
export function esc(text: string): string {
  return clean(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * At most `max` characters (UTF-16 units, which Slack's count never exceeds), ending in "…" when
 * cut. The cut never splits an entity from {@link esc} (a stray `&am` would show) or a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // An entity is at most five characters (`&amp;`): only an `&` that close to the cut can straddle it.
  const amp = text.lastIndexOf('&', end - 1);
  const entity = amp >= 0 && amp > end - 5 ? /^&(?:amp|lt|gt);/.exec(text.slice(amp)) : null;
  if (entity && amp + entity[0].length > end) end = amp;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** plain_text, which Slack shows as is (no escaping helps there): callers put only their own words in it. */
export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(clean(text), LIMITS.headerChars) } };
}

/** A mrkdwn section; `text` must already be escaped where it holds outside text. */
export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionTextChars) } };
}

/** Label/value pairs shown two to a row; values must already be escaped. Beyond ten are dropped. */
export function fields(pairs: readonly (readonly [string, string])[]): Block {
  const shown = pairs.slice(0, LIMITS.fields);
  return {
    type: 'section',
    fields: shown.map(([label, value]) => ({
      type: 'mrkdwn',
      text: truncate(`*${label}*\n${value}`, LIMITS.fieldChars),
    })),
  };
}

export function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, LIMITS.sectionTextChars) }] };
}

export const DIVIDER: Block = Object.freeze({ type: 'divider' });

/**
 * A titled bullet list in one section: as many lines as fit in a section (and at most
 * `maxLines`), then "… and N more" for the rest, so 500 moves still make one valid block.
 */
export function listSection(title: string, lines: readonly string[], maxLines = 20): Block {
  const budget = LIMITS.sectionTextChars;
  let text = title;
  let shown = 0;
  for (const line of lines) {
    const rest = lines.length - shown - 1;
    const tail = rest > 0 ? `\n… and ${rest} more`.length : 0;
    const next = `${text}\n• ${line}`;
    if (shown >= maxLines || next.length + tail > budget) break;
    text = next;
    shown += 1;
  }
  if (shown < lines.length) text += `\n… and ${lines.length - shown} more`;
  return section(text);
}

/** The payload, frozen all the way down and within the block limit (the last block says what was cut). */
export function message(text: string, blocks: readonly Block[]): SlackMessage {
  let kept = blocks;
  if (blocks.length > LIMITS.blocks) {
    const cut = blocks.length - (LIMITS.blocks - 1);
    kept = [...blocks.slice(0, LIMITS.blocks - 1), context(`… and ${cut} more`)];
  }
  return deepFreeze({ text: truncate(text, LIMITS.fallbackChars), blocks: kept.map((b) => structuredClone(b)) });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
