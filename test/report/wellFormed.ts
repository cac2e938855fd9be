/** Test helper: a small XML well-formedness check for generated SVG (balanced tags, escaped text). */
export function wellFormedProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let match: RegExpExecArray | null;
  while ((match = tag.exec(body)) !== null) {
    checkText(body.slice(last, match.index), problems);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = match;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else if (!selfClosing) {
      stack.push(name);
    }
    if (stack.length === 0 && !closing && !selfClosing && name !== 'svg') problems.push(`<${name}> outside the root`);
  }
  checkText(body.slice(last), problems);
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  if (!body.startsWith('<svg')) problems.push('document does not start with <svg');
  return problems;
}

function checkText(text: string, problems: string[]): void {
  if (/[<>]/.test(text)) problems.push(`unescaped markup in text: ${JSON.stringify(text.slice(0, 40))}`);
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) problems.push(`bare & in text: ${JSON.stringify(text.slice(0, 40))}`);
}
