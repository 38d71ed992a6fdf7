/** docs/slack-messages.md is what the builders make now: regenerate with `npm run docs:slack`. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, slackMessagesDoc } from './slack-examples.js';

describe('docs/slack-messages.md', () => {
  it('shows the messages exactly as the builders make them', () => {
    expect(readFileSync('docs/slack-messages.md', 'utf8')).toBe(slackMessagesDoc());
  });
  it('gives every example a plain-text fallback and blocks', () => {
    for (const { message } of EXAMPLES) {
      expect(message.text.length).toBeGreaterThan(0);
      expect(message.blocks.length).toBeGreaterThan(0);
    }
  });
});
