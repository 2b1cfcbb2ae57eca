// Slash commands. Claude Code records `/review src` as a user line whose text is tags, e.g.
//   <command-message>review is running…</command-message>\n<command-name>/review</command-name>\n<command-args>src</command-args>
// (older versions put <command-name> first). The tags must open the text, so a prompt that merely quotes
// them (a pasted transcript, a question about this format) is not taken for a command.

export interface SlashCommand {
  /** With its leading slash, e.g. `/review`, `/my-plugin:deploy`. */
  name: string;
  /** The `<command-args>` text, trimmed ('' when absent). */
  args: string;
}

const LEADING_TAGS = /^\s*(?:<(command-message|command-args|command-contents)>[\s\S]*?<\/\1>\s*)*<command-name>\s*([^<]*?)\s*<\/command-name>/;
const ARGS = /<command-args>([\s\S]*?)<\/command-args>/;

/** The command a user line invokes, or null. A name written without its slash gets one, so names compare equal. */
export function parseSlashCommand(text: string): SlashCommand | null {
  const match = LEADING_TAGS.exec(text);
  if (!match) return null;
  const raw = match[2];
  if (raw === '' || /\s/.test(raw)) return null;
  const args = ARGS.exec(text)?.[1]?.trim() ?? '';
  return { name: raw.startsWith('/') ? raw : `/${raw}`, args };
}
