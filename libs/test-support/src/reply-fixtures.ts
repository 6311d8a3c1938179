/**
 * Answers as an agent writes them, for the reply tests: numbered tokens in prose and in code, so a test can check
 * that every token arrived once and in order, whatever the platform did to the markup.
 */

/** A Markdown answer of about `chars` characters with three fenced code blocks (ts, py, plain). */
export function longAnswer(chars = 20_000): string {
  const parts: string[] = [];
  let n = 0;
  const word = () => `w${String(++n).padStart(5, '0')}`;
  const paragraph = (words: number) => Array.from({ length: words }, (_, i) => (i % 9 === 4 ? `**${word()}**` : word())).join(' ');
  const fence = (lang: string, lines: number) => ['```' + lang, ...Array.from({ length: lines }, () => `  let ${word()} = a < b && c;`), '```'].join('\n');
  const section = Math.floor(chars / 4);
  for (const lang of ['ts', 'py', '']) {
    let prose = '';
    while (prose.length < section * 0.6) prose += `${paragraph(40)}\n\n`;
    parts.push(`## Part ${lang || 'plain'}\n\n${prose}${fence(lang, Math.floor((section * 0.4) / 30))}`);
  }
  let tail = '';
  while (parts.join('\n\n').length + tail.length < chars) tail += `${paragraph(40)}\n\n`;
  parts.push(tail.trim());
  return parts.join('\n\n');
}

/** The numbered tokens of a text, in order (what a reader must see, once each). */
export const answerTokens = (text: string): string[] => text.match(/w\d{5}/g) ?? [];
