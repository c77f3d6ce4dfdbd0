/// <reference lib="dom" />
import { apiError, callApi, element } from './http.js';
import { tasks } from './tasks.js';

/**
 * The small script every page loads. Each part finds its elements or does nothing: sign out, the review page's sign-in
 * without leaving the page and its decision form's rules (a comment to return, 保密审查 to approve), and the status
 * page's withdraw with its confirm step. Everything a plain form can do still works without it.
 */

function signOut(): void {
  const form = element('logout-form', HTMLFormElement);
  form?.addEventListener('submit', (event) => {
    event.preventDefault();
    void callApi('POST', '/api/auth/logout', {}).finally(() => window.location.assign('/login'));
  });
}

function show(box: HTMLElement | undefined, text: string): void {
  if (!box) return;
  box.textContent = text;
  box.hidden = text === '';
}

/** Review page: email → code → signed in, on the page itself; the page then reloads with the decision form. */
function inlineSignIn(): void {
  const section = document.getElementById('sign-in');
  const emailForm = element('signin-email-form', HTMLFormElement);
  const codeForm = element('signin-code-form', HTMLFormElement);
  const codeWrap = document.getElementById('signin-code-wrap');
  const errorBox = element('signin-error', HTMLParagraphElement);
  if (!section || !emailForm || !codeForm || !codeWrap) return;
  const emailInput = element('signin-email', HTMLInputElement);
  const codeInput = element('signin-code', HTMLInputElement);
  let email = emailInput?.value ?? '';

  emailForm.addEventListener('submit', (event) => {
    event.preventDefault();
    email = emailInput?.value.trim() ?? '';
    show(errorBox, '');
    void callApi('POST', '/api/auth/code', { email }).then(
      (answer) => {
        if (answer.status !== 202) {
          show(errorBox, apiError(answer).message);
          return;
        }
        for (const hidden of codeWrap.querySelectorAll<HTMLInputElement>('input[name="email"]')) hidden.value = email;
        const shownEmail = codeWrap.querySelector('strong');
        if (shownEmail) shownEmail.textContent = email;
        codeWrap.hidden = false;
        codeInput?.focus();
      },
      () => show(errorBox, '网络不通，请稍后重试。'),
    );
  });

  codeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    show(errorBox, '');
    void callApi('POST', '/api/auth/session', { email, code: codeInput?.value.trim() ?? '' }).then(
      (answer) => {
        if (answer.status === 204) {
          window.location.reload();
          return;
        }
        show(errorBox, apiError(answer).message);
        codeInput?.setAttribute('aria-invalid', 'true');
        codeInput?.setAttribute('aria-describedby', 'signin-error');
        codeInput?.focus();
      },
      () => show(errorBox, '网络不通，请稍后重试。'),
    );
  });

  // the resend form re-posts the address; on this page it is the first step again
  element('signin-resend-form', HTMLFormElement)?.addEventListener('submit', (event) => {
    event.preventDefault();
    emailForm.requestSubmit();
  });
}

/** Review page: returning needs a comment, the director's approval needs the 保密审查 box. */
function decisionRules(): void {
  const form = element('decision-form', HTMLFormElement);
  if (!form) return;
  const comment = element('comment', HTMLTextAreaElement);
  const confidentiality = element('confidentiality', HTMLInputElement);
  const button = element('decision-submit', HTMLButtonElement);
  // the page words it for its step (提交审核意见, 提交签发意见…); the choice is added to those words
  const label = button?.textContent?.trim() ?? '提交';
  const update = () => {
    const outcome = new FormData(form).get('outcome');
    if (comment) comment.required = outcome === 'return';
    if (confidentiality) confidentiality.required = outcome === 'approve';
    if (button) button.textContent = outcome === 'approve' ? '提交：同意' : outcome === 'return' ? '提交：退回修改' : label;
  };
  form.addEventListener('change', update);
  update();
  comment?.addEventListener('invalid', () => comment.setCustomValidity(comment.validity.valueMissing ? '退回时请填写修改意见。' : ''));
  comment?.addEventListener('input', () => comment.setCustomValidity(''));
  confidentiality?.addEventListener('invalid', () =>
    confidentiality.setCustomValidity(confidentiality.validity.valueMissing ? '同意前请确认已完成保密审查。' : ''),
  );
  confidentiality?.addEventListener('change', () => confidentiality.setCustomValidity(''));
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="outcome"]')) {
    radio.addEventListener('invalid', () => radio.setCustomValidity(radio.validity.valueMissing ? '请选择“同意”或“退回修改”。' : ''));
    radio.addEventListener('change', () => {
      for (const other of form.querySelectorAll<HTMLInputElement>('input[name="outcome"]')) other.setCustomValidity('');
    });
  }
}

/** Status page: 撤回 asks once more, then calls the API. */
function withdraw(): void {
  const start = element('withdraw-start', HTMLButtonElement);
  const confirm = document.getElementById('withdraw-confirm');
  const yes = element('withdraw-yes', HTMLButtonElement);
  const no = element('withdraw-no', HTMLButtonElement);
  const errorBox = element('withdraw-error', HTMLParagraphElement);
  if (!start || !confirm || !yes || !no) return;
  const reportId = confirm.dataset['reportId'] ?? '';
  const open = (opened: boolean) => {
    confirm.hidden = !opened;
    start.setAttribute('aria-expanded', String(opened));
    (opened ? no : start).focus();
  };
  start.addEventListener('click', () => open(true));
  no.addEventListener('click', () => open(false));
  confirm.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') open(false);
  });
  const reason = element('withdraw-reason', HTMLTextAreaElement);
  yes.addEventListener('click', () => {
    if (reason && reason.value.trim() === '') {
      show(errorBox, '请填写撤回原因，原因会告知正在审批的人员。');
      reason.setAttribute('aria-invalid', 'true');
      reason.setAttribute('aria-describedby', 'withdraw-error');
      reason.focus();
      return;
    }
    yes.disabled = true;
    show(errorBox, '');
    void callApi('POST', `/api/reports/${encodeURIComponent(reportId)}/withdraw`, { reason: reason?.value ?? '' })
      .then(
        (answer) => {
          if (answer.status === 200) {
            window.location.reload();
            return;
          }
          show(errorBox, apiError(answer).message);
        },
        () => show(errorBox, '网络不通，请稍后重试。'),
      )
      .finally(() => {
        yes.disabled = false;
      });
  });
}

signOut();
inlineSignIn();
decisionRules();
withdraw();
tasks();
