/// <reference lib="dom" />
import { apiError, callApi, element, field } from './http.js';

/**
 * The import page: reads the chosen file, asks the API what it says (nothing is stored), shows every cell read and
 * every one that could not be, and saves the file as the agency's imported report when the officer confirms. Every
 * text goes into the page as a text node.
 */

/** base64 of the file must fit the API's 256 KiB body with the rest of the request */
const MAX_FILE_BYTES = 180 * 1024;

interface Upload {
  readonly fileName: string;
  readonly contentBase64: string;
  readonly year: number;
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

function row(cells: readonly string[], className?: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (className !== undefined) tr.className = className;
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

const items = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

function showPreview(body: unknown): void {
  const uncertain = items(field(body, 'uncertain'));
  const recognised = items(field(body, 'recognised'));
  const summary = element('import-summary', HTMLParagraphElement);
  if (summary) {
    const year = text(field(body, 'year'));
    summary.textContent = `模板 ${text(field(body, 'template'))}，${year === '' ? '年度未知' : `${year} 年度`}：读出 ${recognised.length} 项，${uncertain.length} 项无法确定。`;
  }
  const uncertainBody = document.querySelector('#import-uncertain tbody');
  uncertainBody?.replaceChildren(
    ...uncertain.map((item) =>
      row([`${text(field(item, 'label'))}（${text(field(item, 'path')) || '未归入任何一行'}）`, text(field(item, 'reason'))], 'uncertain'),
    ),
  );
  const recognisedBody = document.querySelector('#import-recognised tbody');
  recognisedBody?.replaceChildren(...recognised.map((item) => row([text(field(item, 'label')), text(field(item, 'value'))])));
  const preview = document.getElementById('import-preview');
  if (preview) preview.hidden = false;
}

function start(): void {
  const form = element('import-form', HTMLFormElement);
  const input = element('import-file', HTMLInputElement);
  const yearInput = element('import-year', HTMLInputElement);
  const status = element('import-status', HTMLParagraphElement);
  const save = element('import-save', HTMLButtonElement);
  if (!form || !input || !yearInput || !status || !save) return;
  const say = (message: string): void => {
    status.textContent = message;
  };
  let upload: Upload | undefined;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const file = input.files?.[0];
      if (!file) return say('请选择文件。');
      if (file.size > MAX_FILE_BYTES) return say('文件超过 180 KB：网页请另存为“仅 HTML”，或复制正文存为文字文件后再导入。');
      say('正在读取……');
      upload = { fileName: file.name, contentBase64: await readBase64(file), year: Number(yearInput.value) };
      const answer = await callApi('POST', '/api/reports/import', upload);
      if (answer.status !== 200) {
        upload = undefined;
        return say(apiError(answer).message);
      }
      say('读取完成，请核对下面的结果；确认无误后保存。');
      showPreview(answer.body);
    })();
  });

  save.addEventListener('click', () => {
    void (async () => {
      if (!upload) return say('请先读取文件。');
      const agencyId = form.dataset['agency'] ?? '';
      const { fileName, contentBase64, year } = upload;
      const answer = await callApi('PUT', `/api/agencies/${encodeURIComponent(agencyId)}/previous/${year}`, { fileName, contentBase64 });
      if (answer.status !== 200) return say(apiError(answer).message);
      say(`已保存为 ${year} 年度的导入报告。填报 ${year + 1} 年度报告时，上年结转将据此带入并核对。`);
    })();
  });
}

start();
