/** Matches `namespace/name` workload names against a pattern where `*` matches any run of characters. */
export function workloadMatcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const re = new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);
  return (name) => re.test(name);
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
