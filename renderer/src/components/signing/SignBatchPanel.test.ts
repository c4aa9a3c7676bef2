// @vitest-environment happy-dom
import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { SigningJob, SigningStatus } from '../../../../common/contract';
import { setApiForTests } from '../../api';
import { FakeFailure } from '../../testing/fake-api';
import { mountWith, settle, setupHarness } from '../../testing/mount';
import SignBatchPanel from './SignBatchPanel.vue';

enableAutoUnmount(afterEach);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const status: SigningStatus = {
  enabled: true,
  simulated: true,
  tokenLabel: null,
  keyId: '5a01',
  timestamp: false,
  visibleStamp: false,
  trustAnchors: 0,
  running: null,
};

function job(over: Partial<SigningJob> = {}): SigningJob {
  return {
    jobId: 'j1',
    batchId: 'b1',
    state: 'running',
    done: 0,
    total: 3,
    signed: 0,
    failed: 0,
    signer: 'Nguyễn Văn An',
    startedAt: '2025-07-15T10:30',
    documents: [
      {
        documentId: 'L:1',
        documentName: 'Căn cước công dân',
        state: 'waiting',
        code: null,
        message: null,
        sha256: null,
      },
      { documentId: 'L:2', documentName: 'Giấy khai sinh', state: 'waiting', code: null, message: null, sha256: null },
      { documentId: 'L:3', documentName: 'Sổ hộ khẩu', state: 'waiting', code: null, message: null, sha256: null },
    ],
    ...over,
  };
}

const key = (combo: string) => {
  const [mod, k] = combo.split('+') as [string, string];
  window.dispatchEvent(new KeyboardEvent('keydown', { key: k, code: `Key${k}`, altKey: mod === 'Alt', bubbles: true }));
};

describe('batch signing on the digitisation screen', () => {
  it('a failed document reads from the locale by its code; a code without text reads as the internal error, never the raw message', async () => {
    const running = job({ done: 2, failed: 2 });
    Object.assign(running.documents[0]!, {
      state: 'failed',
      code: 'SIGN_PDF_INVALID',
      message: 'Failed to parse PDF document: No PDF header found',
    });
    Object.assign(running.documents[1]!, {
      state: 'failed',
      code: 'CKR_DEVICE_ERROR',
      message: 'C_Sign: CKR_DEVICE_ERROR (0x30)',
    });
    const h = setupHarness({ 'signing.status': () => ({ ...status, running }) });
    const wrapper = mountWith(SignBatchPanel, h, { props: { batchId: 'b1', finishedDocuments: 3 } });
    await settle();
    expect(wrapper.get('[data-testid="sign-doc-error-L:1"]').text()).toBe(
      '— Tệp PDF bị hỏng hoặc không đọc được nên không ký được. Kiểm tra lại tệp.',
    );
    expect(wrapper.get('[data-testid="sign-doc-error-L:2"]').text()).toBe(
      '— Lỗi hệ thống. Vui lòng thử lại; nếu vẫn lỗi, báo cán bộ CNTT.',
    );
    expect(wrapper.text()).not.toMatch(/Failed to parse|C_Sign|0x30/u);
  });

  it('asks the PIN once (Alt+K), sends it, empties the field, and follows progress to a result per document', async () => {
    const h = setupHarness({
      'signing.status': () => status,
      'signing.signBatch': () => job(),
      'signing.job': () => {
        const j = job({ state: 'finished', done: 3, signed: 2, failed: 1 });
        j.documents[0]!.state = 'signed';
        Object.assign(j.documents[1]!, { state: 'failed', code: 'SIGN_PDF_INVALID', message: 'not a PDF' });
        j.documents[2]!.state = 'signed';
        return j;
      },
    });
    const wrapper = mountWith(SignBatchPanel, h, { props: { batchId: 'b1', finishedDocuments: 3 } });
    await settle();
    expect(wrapper.get('[data-testid="sign-open"]').text()).toContain('Ký số 3 văn bản');
    expect(wrapper.get('[data-testid="sign-simulated"]').text()).toContain('đào tạo');
    key('Alt+K');
    await settle();
    const pin = wrapper.get('[data-testid="sign-pin"]');
    expect(document.activeElement).toBe(pin.element);
    expect(pin.attributes('type')).toBe('password');
    expect(wrapper.text()).toContain('123456');
    await pin.setValue('123456');
    await wrapper.get('[data-testid="sign-pin-form"]').trigger('submit');
    await settle();
    expect(h.fake.callsOf('signing.signBatch').map((c) => c.params)).toEqual([{ batchId: 'b1', pin: '123456' }]);
    expect(wrapper.find('[data-testid="sign-pin-form"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="sign-progress-count"]').text()).toBe('Đang ký 0/3');

    h.fake.emit('signing.progress', {
      jobId: 'j1',
      batchId: 'b1',
      state: 'running',
      done: 1,
      total: 3,
      document: {
        documentId: 'L:1',
        documentName: 'Căn cước công dân',
        state: 'signed',
        code: null,
        message: null,
        sha256: 'a'.repeat(64),
      },
    });
    await settle();
    expect(wrapper.get('[data-testid="sign-progress-count"]').text()).toBe('Đang ký 1/3');
    expect((wrapper.get('[data-testid="sign-progress-bar"]').element as HTMLProgressElement).value).toBe(1);
    expect(wrapper.get('[data-testid="sign-doc-L:1"]').text()).toContain('Đã ký');

    h.fake.emit('signing.progress', {
      jobId: 'j1',
      batchId: 'b1',
      state: 'running',
      done: 2,
      total: 3,
      document: {
        documentId: 'L:2',
        documentName: 'Giấy khai sinh',
        state: 'failed',
        code: 'SIGN_PDF_INVALID',
        message: 'not a PDF',
        sha256: null,
      },
    });
    h.fake.emit('signing.progress', {
      jobId: 'j1',
      batchId: 'b1',
      state: 'running',
      done: 3,
      total: 3,
      document: {
        documentId: 'L:3',
        documentName: 'Sổ hộ khẩu',
        state: 'signed',
        code: null,
        message: null,
        sha256: 'b'.repeat(64),
      },
    });
    h.fake.emit('signing.progress', { jobId: 'j1', batchId: 'b1', state: 'finished', done: 3, total: 3 });
    await settle();
    expect(wrapper.get('[data-testid="sign-doc-error-L:2"]').text()).toContain('Tệp PDF bị hỏng');
    expect(wrapper.get('[data-testid="sign-progress-count"]').text()).toBe('Xong: 2 đã ký, 1 lỗi, trên 3 văn bản');
    expect(wrapper.find('[data-testid="sign-cancel"]').exists()).toBe(false);
  });

  it('a wrong PIN is shown in Vietnamese with the tries left; the field is emptied and keeps focus', async () => {
    let tries = 4;
    const h = setupHarness({
      'signing.status': () => status,
      'signing.signBatch': () => {
        throw new FakeFailure('TOKEN_PIN_INCORRECT', 'wrong PIN', { triesLeft: tries-- });
      },
    });
    const wrapper = mountWith(SignBatchPanel, h, { props: { batchId: 'b1', finishedDocuments: 2 } });
    await settle();
    await wrapper.get('[data-testid="sign-open"]').trigger('click');
    await settle();
    const pin = wrapper.get('[data-testid="sign-pin"]');
    await pin.setValue('999999');
    await pin.trigger('keydown', { key: 'Enter' });
    await wrapper.get('[data-testid="sign-pin-form"]').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="sign-error"]').text()).toContain('Mã PIN không đúng');
    expect(wrapper.get('[data-testid="sign-tries"]').text()).toBe('Còn 4 lần nhập PIN trước khi token bị khóa.');
    expect((pin.element as HTMLInputElement).value).toBe('');
    expect(document.activeElement).toBe(pin.element);
    // Esc in the field closes the prompt.
    await pin.trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[data-testid="sign-pin-form"]').exists()).toBe(false);
  });

  it('cancel stops the job; nothing is offered without finished documents or when signing is off', async () => {
    const h = setupHarness({
      'signing.status': () => ({ ...status, running: job() }),
      'signing.cancel': () => ({ done: true as const }),
      'signing.job': () => job({ state: 'cancelled', done: 3 }),
    });
    const wrapper = mountWith(SignBatchPanel, h, { props: { batchId: 'b1', finishedDocuments: 3 } });
    await settle();
    // A job already running for this batch (e.g. after reloading the page) is shown.
    expect(wrapper.get('[data-testid="sign-progress-count"]').text()).toBe('Đang ký 0/3');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle();
    expect(h.fake.callsOf('signing.cancel').map((c) => c.params)).toEqual([{ jobId: 'j1' }]);
    h.fake.emit('signing.progress', { jobId: 'j1', batchId: 'b1', state: 'cancelled', done: 3, total: 3 });
    await settle();
    expect(wrapper.get('[data-testid="sign-progress-count"]').text()).toBe('Đã dừng: 0 đã ký trên 3 văn bản');

    const none = setupHarness({ 'signing.status': () => status });
    const empty = mountWith(SignBatchPanel, none, { props: { batchId: 'b2', finishedDocuments: 0 } });
    await settle();
    expect(empty.get('[data-testid="sign-open"]').attributes('disabled')).toBeDefined();
    expect(empty.get('[data-testid="sign-none"]').text()).toContain('Chưa có văn bản nào hoàn tất');

    const off = setupHarness({ 'signing.status': () => ({ ...status, enabled: false }) });
    const hidden = mountWith(SignBatchPanel, off, { props: { batchId: 'b3', finishedDocuments: 2 } });
    await settle();
    expect(hidden.find('[data-testid="sign-batch"]').exists()).toBe(false);
  });
});
