// Writes docs/slack-messages.md: the Slack messages as the builders make them (test/notify/slack-examples.ts).
import { writeFileSync } from 'node:fs';
import { slackMessagesDoc } from '../test/notify/slack-examples.js';

writeFileSync(new URL('../docs/slack-messages.md', import.meta.url), slackMessagesDoc());
process.stdout.write('wrote docs/slack-messages.md\n');
