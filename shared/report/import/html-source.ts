import { parse, type DefaultTreeAdapterMap } from 'parse5';
import type { SourceBlock } from './source.js';

/**
 * A page saved from a browser (or mammoth's HTML of a Word file) as the importer's blocks: each paragraph-like element
 * a line, each row of a data table a row of cell texts. Government sites lay pages out in tables, so a table that holds
 * another table is a layout table and is read as flowing text; only innermost tables are data.
 */

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const isElement = (node: Node): node is Element => 'tagName' in node;
const children = (node: Node): Node[] => ('childNodes' in node ? node.childNodes : []);

const SKIPPED = new Set(['head', 'script', 'style', 'noscript', 'template', 'svg', 'select', 'button', 'iframe']);
const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'nav',
  'aside',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'blockquote',
  'pre',
  'form',
  'center',
  'caption',
  'figure',
  'figcaption',
  'hr',
  'body',
  'html',
  'td',
  'th',
  'tr',
]);

function textOf(node: Node): string {
  if (node.nodeName === '#text' && 'value' in node) return node.value;
  if (isElement(node)) {
    if (SKIPPED.has(node.tagName)) return '';
    if (node.tagName === 'br') return '\n';
  }
  return children(node).map(textOf).join('');
}

function containsTable(node: Node): boolean {
  return children(node).some((child) => isElement(child) && (child.tagName === 'table' || containsTable(child)));
}

function rowsOf(table: Element): Element[] {
  const rows: Element[] = [];
  const visit = (node: Node): void => {
    for (const child of children(node)) {
      if (!isElement(child)) continue;
      if (child.tagName === 'tr') rows.push(child);
      else if (child.tagName !== 'table') visit(child);
    }
  };
  visit(table);
  return rows;
}

/** A cell's text with its line breaks and spaces removed: labels wrap inside cells, numbers never contain spaces. */
const cellText = (cell: Element): string => textOf(cell).replace(/[\s\u3000]+/gu, '');

export function htmlSource(html: string): SourceBlock[] {
  const blocks: SourceBlock[] = [];
  let line = '';
  let insideRunIn = false;
  const flush = (): void => {
    // a page separates paragraphs by elements, not blank lines: only lines with text are kept
    for (const piece of line.split('\n')) {
      const text = piece.replace(/[\s\u3000]+/gu, ' ').trim();
      if (text !== '') blocks.push({ type: 'line', text });
    }
    line = '';
  };
  const visit = (node: Node): void => {
    if (node.nodeName === '#text' && 'value' in node) {
      line += node.value.replace(/\s+/gu, ' ');
      return;
    }
    if (!isElement(node)) {
      for (const child of children(node)) visit(child);
      return;
    }
    if (SKIPPED.has(node.tagName)) return;
    if (node.tagName === 'br') {
      line += '\n';
      return;
    }
    if (node.tagName === 'table' && !containsTable(node)) {
      flush();
      for (const row of rowsOf(node)) {
        const cells = children(row).filter(
          (child): child is Element => isElement(child) && (child.tagName === 'td' || child.tagName === 'th'),
        );
        blocks.push({ type: 'row', cells: cells.map(cellText) });
      }
      blocks.push({ type: 'line', text: '' });
      return;
    }
    // a run-in heading (nianbao's own page sets 1.组织领导。 in its own element on its paragraph's line) is one line
    const runIn = node.tagName === 'div' && (node.attrs.find((attr) => attr.name === 'class')?.value ?? '').split(/\s+/).includes('run-in');
    const block = !insideRunIn && (BLOCKS.has(node.tagName) || node.tagName === 'table');
    if (block) flush();
    if (runIn) insideRunIn = true;
    for (const child of children(node)) visit(child);
    if (runIn) insideRunIn = false;
    if (block) flush();
  };
  visit(parse(html));
  flush();
  // runs of empty lines say nothing more than one
  const blank = (block: SourceBlock | undefined): boolean => block?.type === 'line' && block.text === '';
  return blocks.filter((block, index) => !(blank(block) && blank(blocks[index - 1])));
}
