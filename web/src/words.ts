// Where a record came from, in words an administrator knows (the API says "cli", "api", …).
const SOURCE_WORDS: Record<string, string> = {
  config: 'the tenant configuration file',
  cli: 'the opencallback command',
  api: 'the console or admin API',
  setup: 'the initial setup',
};

/** "the opencallback command" for "cli"; unknown sources as they are. */
export function sourceWords(source: string | null | undefined): string {
  if (source === null || source === undefined || source === '') return '';
  return SOURCE_WORDS[source] ?? source;
}
