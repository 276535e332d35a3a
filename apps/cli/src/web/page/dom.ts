/**
 * Building the page's elements. Text is always set as text, never parsed as HTML: stop reasons
 * and container reasons come from ECS verbatim.
 */

type Child = Node | string | number | undefined | null | false;

/** `h('td', { class: 'exit' }, '137')`; `undefined`/`false` attributes and children are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined | false> | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {}))
    if (value !== undefined && value !== false) element.setAttribute(name, value);
  for (const child of children)
    if (child !== undefined && child !== null && child !== false)
      element.append(typeof child === 'number' ? String(child) : child);
  return element;
}

/** Replaces an element's children. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  for (const child of children)
    if (child !== undefined && child !== null && child !== false)
      parent.append(typeof child === 'number' ? String(child) : child);
}

/** Escapes text for the few places a library takes HTML (the chart's tooltip). */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}
