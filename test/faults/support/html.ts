import { parse, type DefaultTreeAdapterMap } from 'parse5';

/**
 * A page read the way a browser reads it (parse5, the HTML standard's parser), then searched for anything that would
 * run: a script other than the app's own files under /assets/, an event-handler attribute, a javascript: URL, and the
 * elements an injection would use to take over a page (base, meta refresh, iframe, object, embed).
 */

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const isElement = (node: Node): node is Element => 'tagName' in node;
const childNodes = (node: Node): Node[] => {
  const children: Node[] = 'childNodes' in node ? [...node.childNodes] : [];
  if (isElement(node) && node.tagName === 'template' && 'content' in node) children.push(node.content as Node);
  return children;
};

function elements(root: Node): Element[] {
  const found: Element[] = [];
  const visit = (node: Node): void => {
    if (isElement(node)) found.push(node);
    childNodes(node).forEach(visit);
  };
  visit(root);
  return found;
}

/** The text a person sees: every text node (attribute values and script/style contents left out). */
export function visibleText(root: Node): string {
  if (isElement(root) && (root.tagName === 'script' || root.tagName === 'style')) return '';
  if ('value' in root && typeof root.value === 'string' && root.nodeName === '#text') return root.value;
  return childNodes(root).map(visibleText).join('');
}

const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'xlink:href',
  'data',
  'poster',
  'background',
  'cite',
  'ping',
  'srcset',
]);
const FORBIDDEN_ELEMENTS = new Set(['base', 'iframe', 'object', 'embed', 'frame', 'frameset', 'applet']);

/** A URL a browser would run: javascript:/vbscript:/data:text/html, ignoring the whitespace and controls browsers skip. */
const isScriptUrl = (value: string): boolean =>
  /^(javascript|vbscript|data:text\/html)/i.test(value.replace(/[\u0000-\u0020\u007f-\u009f]/g, ''));

export interface PageVerdict {
  readonly problems: string[];
  readonly text: string;
  readonly scripts: string[];
}

export function inspectPage(html: string): PageVerdict {
  const document = parse(html);
  const problems: string[] = [];
  const scripts: string[] = [];
  for (const element of elements(document)) {
    const tag = element.tagName;
    const attrs = new Map(element.attrs.map((attr) => [attr.prefix === undefined ? attr.name : `${attr.prefix}:${attr.name}`, attr.value]));
    if (tag === 'script') {
      const src = attrs.get('src');
      const inline = visibleTextOfScript(element);
      scripts.push(src ?? '(inline)');
      if (src === undefined || !src.startsWith('/assets/') || inline.trim() !== '')
        problems.push(
          `a script that is not the app's own: <script${element.attrs.map((attr) => ` ${attr.name}="${attr.value}"`).join('')}>${inline.slice(0, 80)}`,
        );
    }
    if (FORBIDDEN_ELEMENTS.has(tag)) problems.push(`a <${tag}> element`);
    if (tag === 'meta' && (attrs.get('http-equiv') ?? '').toLowerCase() === 'refresh') problems.push('a <meta http-equiv=refresh>');
    for (const [name, value] of attrs) {
      if (/^on/i.test(name)) problems.push(`an event handler ${name}="${value.slice(0, 60)}" on <${tag}>`);
      if (name === 'srcdoc') problems.push(`a srcdoc on <${tag}>`);
      if ((URL_ATTRIBUTES.has(name) || name === 'content') && isScriptUrl(name === 'content' ? (value.split('url=')[1] ?? '') : value))
        problems.push(`a script URL ${name}="${value.slice(0, 60)}" on <${tag}>`);
    }
  }
  return { problems, text: visibleText(document), scripts };
}

function visibleTextOfScript(element: Element): string {
  return element.childNodes.map((node) => ('value' in node && typeof node.value === 'string' ? node.value : '')).join('');
}
