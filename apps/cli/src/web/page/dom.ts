/**
 * Building the page's elements. Text is always set as text, never parsed as HTML: stop reasons
 * and container reasons come from ECS verbatim. Text people read — children, titles, accessible
 * names — is shown with its control and bidi control characters escaped (`\u202e`), as the CLI
 * shows it: a right-to-left override would otherwise reorder what follows it on screen.
 */
import { visibleText } from '../../output/visible-text';

type Child = Node | string | number | undefined | null | false;

/** Attributes people read (tooltips, accessible names); values, ids and data-* stay exact. */
const READ_ATTRIBUTES = new Set(['title', 'aria-label', 'alt', 'placeholder']);

/** `h('td', { class: 'exit' }, '137')`; `undefined`/`false` attributes and children are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined | false> | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {}))
    if (value !== undefined && value !== false)
      element.setAttribute(name, READ_ATTRIBUTES.has(name) ? visibleText(value) : value);
  appendChildren(element, children);
  return element;
}

/** Replaces an element's children. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  appendChildren(parent, children);
}

function appendChildren(parent: Element, children: readonly Child[]): void {
  for (const child of children)
    if (child !== undefined && child !== null && child !== false)
      parent.append(
        typeof child === 'string'
          ? visibleText(child)
          : typeof child === 'number'
            ? String(child)
            : child,
      );
}

/**
 * Text for the few places a library takes HTML (the chart's tooltip): control and bidi control
 * characters shown escaped, then HTML's special characters escaped.
 */
export function escapeHtml(text: string): string {
  return visibleText(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Sets an element's text, shown as {@link h} shows text. */
export function setText(element: Element, text: string): void {
  element.textContent = visibleText(text);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}
