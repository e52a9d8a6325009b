/** Escaping for untrusted heap strings in each place a report puts them. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML and SVG text content and attribute values (quoted). */
export function escapeHtml(text: string): string {
  // Control characters have no business in a report; show them as their code.
  return text.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Escapes text for Markdown as GitHub renders it: the HTML specials become entities, then Markdown
 * punctuation (the backtick too) gets a backslash, so a heap string can neither format nor inject markup. In
 * that order: a backslash before the `#` of an entity such as `&#96;` would print the entity as text.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[&<>"]/g, (c) => HTML_ESCAPES[c])
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\\`*_{}[\]()#+!|~-]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/** Makes text safe inside a fenced code block: no line can close the fence. */
export function escapeCodeBlock(text: string): string {
  return text.replace(/^(\s*)(~~~|```)/gm, '$1\\$2');
}
