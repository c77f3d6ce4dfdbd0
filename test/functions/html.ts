import { parse } from 'parse5';

/** A few queries over a page parsed as a browser would (parse5), so tests look at elements, not at substrings. */

interface Node {
  readonly nodeName: string;
  readonly tagName?: string;
  readonly attrs?: ReadonlyArray<{ name: string; value: string }>;
  readonly childNodes?: readonly Node[];
  readonly content?: Node;
  readonly value?: string;
}

export interface Element {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly text: string;
  readonly children: readonly Element[];
}

function textOf(node: Node): string {
  if (node.nodeName === '#text') return node.value ?? '';
  return (node.childNodes ?? []).map(textOf).join('');
}

function toElement(node: Node): Element {
  return {
    tag: node.tagName ?? '',
    attrs: Object.fromEntries((node.attrs ?? []).map((attr) => [attr.name, attr.value])),
    text: textOf(node),
    children: (node.childNodes ?? []).filter((child) => child.tagName !== undefined).map(toElement),
  };
}

export function parseHtml(html: string): Element {
  const document = parse(html) as unknown as Node;
  return {
    tag: '#document',
    attrs: {},
    text: textOf(document),
    children: (document.childNodes ?? []).filter((child) => child.tagName !== undefined).map(toElement),
  };
}

export function all(root: Element, predicate: (element: Element) => boolean): Element[] {
  const found: Element[] = [];
  const walk = (element: Element) => {
    if (predicate(element)) found.push(element);
    element.children.forEach(walk);
  };
  walk(root);
  return found;
}

export const byTag = (root: Element, tag: string): Element[] => all(root, (element) => element.tag === tag);
export const byId = (root: Element, id: string): Element | undefined => all(root, (element) => element.attrs['id'] === id)[0];
export const inputNamed = (root: Element, name: string): Element | undefined =>
  all(root, (element) => element.tag === 'input' && element.attrs['name'] === name)[0];

/** The visible text with runs of white space made one space. */
export const plainText = (element: Element): string => element.text.replace(/\s+/gu, ' ').trim();
