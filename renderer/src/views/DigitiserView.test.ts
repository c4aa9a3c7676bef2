// @vitest-environment happy-dom
import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchEdit } from '../../../common/contract';
import { setApiForTests } from '../api';
import { SCAN_PROFILE_KEY } from '../stores/scan-profile';
import type { BatchView } from '../stores/types';
import { batchPage, batchView, finishResult, pendingCccd, PNG_BASE64, scanners } from '../testing/digitise-fixtures';
import type { FakeHandlers } from '../testing/fake-api';
import { mountWith, settle, setupHarness } from '../testing/mount';
import DigitiserView from './DigitiserView.vue';

// Page shortcuts listen on window: a station left mounted would answer the next test's keys.
enableAutoUnmount(afterEach);
beforeEach(() => globalThis.localStorage.clear());
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const openBatch = {
  batchId: 'b-1',
  state: 'ready',
  source: 'scanner',
  createdAt: '2026-11-20T09:00',
  officer: 'sohoa',
  lastError: null,
  pages: 3,
} as const;

function harness(view: BatchView, extra: FakeHandlers = {}) {
  return setupHarness({
    'digitise.scanners': () => scanners,
    'digitise.openBatches': () => [openBatch],
    'digitise.pending': () => [pendingCccd],
    'digitise.startScan': () => ({ batchId: 'b-1' }),
    'digitise.batch': () => view,
    'digitise.cancel': () => ({ done: true }),
    ...extra,
  });
}

function press(key: string, init: KeyboardEventInit = {}): void {
  window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
}

/** Mounts the station and opens batch b-1 from the list of open batches. */
async function mountWithBatch(h: ReturnType<typeof harness>) {
  const wrapper = mountWith(DigitiserView, h);
  await settle();
  await wrapper.get('[data-testid="open-batch-b-1"]').trigger('click');
  await settle();
  return wrapper;
}

const threePages = () => batchView([batchPage(0), batchPage(1), batchPage(2)]);

describe('digitisation station: start', () => {
  it('lists the scanners with their capabilities and starts a scan with the chosen profile (F5)', async () => {
    const h = harness(
      batchView([batchPage(0, { status: 'pending', thumbnail: null, ocrText: null })], { state: 'capturing' }),
    );
    const wrapper = mountWith(DigitiserView, h);
    await settle();
    expect(wrapper.get('[data-testid="scanner-caps-sim:1"]').text()).toContain('150–600 dpi');
    expect(wrapper.get('[data-testid="scanner-caps-sim:1"]').text()).toContain('Khay nạp giấy');
    // The device fault by its code; the core's own line (an address, a library's words) stays out.
    expect(wrapper.get('[data-testid="scanner-error-escl:tang2"]').text()).toBe(
      'Không hỏi được máy quét: Thiết bị chưa sẵn sàng.',
    );
    expect((wrapper.get('[data-testid="scanner-option-sim:1"] input').element as HTMLInputElement).checked).toBe(true);
    expect((wrapper.get('[data-testid="scan-resolution"]').element as HTMLSelectElement).value).toBe('200');

    await wrapper.get('[data-testid="scan-resolution"]').setValue('300');
    await wrapper.get('[data-testid="scan-mode"]').setValue('gray');
    await wrapper.get('[data-testid="scan-source"]').setValue('feeder');
    await wrapper.get('[data-testid="scan-duplex"]').setValue(true);
    press('F5');
    await settle();

    expect(h.fake.callsOf('digitise.startScan')[0]!.params).toEqual({
      scannerId: 'sim:1',
      request: { source: 'feeder', duplex: true, resolution: 300, mode: 'gray' },
    });
    expect(JSON.parse(globalThis.localStorage.getItem(SCAN_PROFILE_KEY)!)).toMatchObject({
      scannerId: 'sim:1',
      resolution: 300,
      mode: 'gray',
      duplex: true,
    });
    expect(h.fake.callsOf('digitise.batch')[0]!.params).toEqual({ batchId: 'b-1' });
    expect(wrapper.get('[data-testid="batch-state"]').text()).toBe('Đang quét');
  });

  it('imports files read in the page as base64', async () => {
    const h = harness(threePages(), { 'digitise.importFiles': () => ({ batchId: 'b-1', pages: 1 }) });
    const wrapper = mountWith(DigitiserView, h);
    await settle();
    const input = wrapper.get('[data-testid="import-input"]');
    const file = new File(['%PDF-1.4'], 'giay-to.pdf', { type: 'application/pdf' });
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true });
    await input.trigger('change');
    for (let i = 0; i < 20 && !h.fake.callsOf('digitise.importFiles').length; i += 1) await settle();
    expect(h.fake.callsOf('digitise.importFiles')[0]!.params).toEqual({
      files: [{ name: 'giay-to.pdf', base64: btoa('%PDF-1.4') }],
      profile: { dpi: 200, colour: 'color' },
    });
    await settle();
    expect(wrapper.find('[data-testid="page-grid"]').exists()).toBe(true);
  });
});

describe('digitisation station: batch', () => {
  it('shows live progress with the stage in Vietnamese, and Esc or the button cancels', async () => {
    const view = batchView(
      [
        batchPage(0),
        batchPage(1, { status: 'pending', thumbnail: null }),
        batchPage(2, { status: 'pending', thumbnail: null }),
      ],
      { state: 'capturing' },
    );
    const h = harness(view);
    const wrapper = await mountWithBatch(h);
    const loads = h.fake.callsOf('digitise.batch').length;

    h.fake.emit('digitise.progress', { batchId: 'b-1', page: 1, stage: 'ocr', done: 1, total: 3 });
    await settle();
    expect(wrapper.get('[data-testid="batch-progress-count"]').text()).toBe('Đã xử lý 1/3 trang');
    expect(wrapper.get('[data-testid="batch-progress-stage"]').text()).toBe('Trang 2/3: Nhận dạng chữ (OCR)');
    expect((wrapper.get('[data-testid="batch-progress-bar"]').element as HTMLProgressElement).value).toBe(1);
    expect(h.fake.callsOf('digitise.batch')).toHaveLength(loads);

    // Another batch's progress is not this one's.
    h.fake.emit('digitise.progress', { batchId: 'b-2', page: 0, stage: 'deskew', done: 0, total: 9 });
    h.fake.emit('digitise.progress', { batchId: 'b-1', page: 1, stage: 'done', done: 2, total: 3 });
    await settle();
    expect(wrapper.get('[data-testid="batch-progress-count"]').text()).toBe('Đã xử lý 2/3 trang');
    expect(h.fake.callsOf('digitise.batch').length).toBeGreaterThan(loads);

    press('Escape');
    await settle();
    expect(h.fake.callsOf('digitise.cancel')).toEqual([{ method: 'digitise.cancel', params: { batchId: 'b-1' } }]);
    await wrapper.get('[data-testid="batch-cancel"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('digitise.cancel')).toHaveLength(2);
  });

  it('shows a scanner error from the progress events by its code, not the message beside it', async () => {
    const h = harness(batchView([batchPage(0)], { state: 'capturing' }));
    const wrapper = await mountWithBatch(h);
    h.fake.emit('digitise.progress', {
      batchId: 'b-1',
      page: null,
      stage: 'error',
      done: 1,
      total: 1,
      error: { code: 'SCANNER_JAM', message: 'Kẹt giấy ở khay' },
    });
    await settle();
    const box = wrapper.get('[data-testid="scan-error"]');
    expect(box.text()).toContain('Máy quét bị kẹt giấy');
    expect(box.text()).not.toContain('Kẹt giấy ở khay');
  });

  it('shows a blank page with its badge instead of hiding it, and a failed page worded by its code and "Quét lại"', async () => {
    const view = batchView([
      batchPage(0),
      batchPage(1, { blank: true, ocrText: null }),
      batchPage(2, {
        status: 'error',
        error: { code: 'DIGITISE_FAILED', message: 'Ảnh hỏng ở trang 3' },
        thumbnail: null,
      }),
    ]);
    const h = harness(view, { 'digitise.editBatch': () => view });
    const wrapper = await mountWithBatch(h);
    expect(wrapper.findAll('.page-tile')).toHaveLength(3);
    expect(wrapper.get('[data-testid="page-1"]').attributes('class')).toContain('blank');
    expect(wrapper.get('[data-testid="page-blank-1"]').text()).toBe('Trang trắng');
    expect(wrapper.find('[data-testid="page-blank-0"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="page-error-text-2"]').text()).toBe(
      'Không xử lý được trang này (làm sạch ảnh hoặc nhận dạng chữ bị lỗi).',
    );
    expect(wrapper.get('[data-testid="page-1"] img').attributes('src')).toBe(`data:image/png;base64,${PNG_BASE64}`);

    await wrapper.get('[data-testid="page-rescan-2"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('digitise.editBatch')[0]!.params).toEqual({
      batchId: 'b-1',
      ops: [{ op: 'rescan', page: 2 }],
    });
  });

  it('sends rotate, delete, move and split as editBatch ops from the keyboard, and shows the documents as groups', async () => {
    let view = threePages();
    const h = harness(view, {
      'digitise.editBatch': ({ ops }) => {
        for (const op of ops as BatchEdit[]) {
          if (op.op === 'split')
            view = batchView(view.pages.map((p) => (p.position > op.afterPage ? { ...p, group: 1 } : p)));
        }
        return view;
      },
    });
    const wrapper = await mountWithBatch(h);
    const grid = wrapper.get('[data-testid="page-grid"]');
    expect(wrapper.get('[data-testid="page-0"]').attributes('aria-selected')).toBe('true');
    await grid.trigger('keydown', { key: 'ArrowRight' });
    expect(wrapper.get('[data-testid="page-1"]').attributes('aria-selected')).toBe('true');
    expect(wrapper.get('[data-testid="page-ocr-text"]').text()).toBe('CĂN CƯỚC CÔNG DÂN trang 2');

    await grid.trigger('keydown', { key: 'r', code: 'KeyR' });
    await grid.trigger('keydown', { key: 'R', code: 'KeyR', shiftKey: true });
    await grid.trigger('keydown', { key: 'Delete' });
    await grid.trigger('keydown', { key: 'ArrowRight', altKey: true });
    await settle();
    await grid.trigger('keydown', { key: 's', code: 'KeyS' });
    await settle();

    expect(h.fake.callsOf('digitise.editBatch').map((c) => c.params)).toEqual([
      { batchId: 'b-1', ops: [{ op: 'rotate', page: 1, degrees: -90 }] },
      { batchId: 'b-1', ops: [{ op: 'rotate', page: 1, degrees: 90 }] },
      { batchId: 'b-1', ops: [{ op: 'delete', page: 1 }] },
      { batchId: 'b-1', ops: [{ op: 'reorder', order: [0, 2, 1] }] },
      { batchId: 'b-1', ops: [{ op: 'split', afterPage: 1 }] },
    ]);
    expect(wrapper.get('[data-testid="doc-group-0"]').text()).toContain('Tài liệu 1');
    expect(wrapper.get('[data-testid="doc-group-1"]').text()).toContain('Tài liệu 2');
    expect(wrapper.get('[data-testid="doc-group-1"]').find('[data-testid="page-2"]').exists()).toBe(true);

    // S where a document already starts joins the two again.
    await grid.trigger('keydown', { key: 's', code: 'KeyS' });
    await settle();
    expect(h.fake.callsOf('digitise.editBatch').at(-1)!.params).toEqual({
      batchId: 'b-1',
      ops: [{ op: 'join', afterPage: 1 }],
    });
  });

  it('blocks finishing while neither a validity date nor "Vô thời hạn" is given, naming the field', async () => {
    const h = harness(threePages(), { 'digitise.finish': () => finishResult });
    const wrapper = await mountWithBatch(h);
    await wrapper.get('[data-testid="meta-ownerIdNumber"]').setValue('001203004567');
    await wrapper.get('[data-testid="meta-ownerName"]').setValue('Nguyễn Văn Dũng');
    await wrapper.get('[data-testid="meta-documentCode"]').setValue('kq0003');
    expect((wrapper.get('[data-testid="meta-documentName"]').element as HTMLInputElement).value).toBe(
      'Căn cước công dân',
    );

    press('Enter', { ctrlKey: true });
    await settle();
    expect(h.fake.callsOf('digitise.finish')).toHaveLength(0);
    const error = wrapper.get('[data-testid="finish-error"]');
    expect(error.text()).toContain('Dữ liệu nhập chưa hợp lệ.');
    expect(error.text()).toContain('Hiệu lực đến');
    expect(wrapper.get('[data-testid="meta-validUntil"]').attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('[data-testid="meta-validUntil-error"]').text()).toContain('Vô thời hạn');
    expect(document.activeElement?.id).toBe('meta-validUntil');

    await wrapper.get('[data-testid="meta-permanent"]').setValue(true);
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(h.fake.callsOf('digitise.finish')[0]!.params).toMatchObject({
      metadata: { permanent: true, validUntil: null },
      componentCode: null,
    });
  });

  it('shows the core refusal of a finish with its code message', async () => {
    const { FakeFailure } = await import('../testing/fake-api');
    const h = harness(threePages(), {
      'digitise.finish': () => {
        throw new FakeFailure('DIGITISE_PAGES_PENDING', 'Lô quét vẫn đang quét');
      },
    });
    const wrapper = await mountWithBatch(h);
    await wrapper
      .get('[data-testid="meta-pending"]')
      .setValue(`${pendingCccd.dossierCode}/${pendingCccd.componentCode}`);
    await wrapper.get('[data-testid="meta-permanent"]').setValue(true);
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="finish-error"]').text()).toContain('Lô quét vẫn đang quét hoặc đang xử lý trang');
  });

  it("never shows the raw text of a failed page, a refused edit, an import or the batch's last error", async () => {
    const { FakeFailure } = await import('../testing/fake-api');
    const raw = [
      'tesseract: Error: Image too small to scale!!',
      'sharp: Input buffer contains unsupported image format',
      'SQLITE_BUSY: database is locked',
      'ENOENT: scanimage',
    ];
    const view = batchView(
      [
        batchPage(0, { status: 'error', error: { code: 'IMAGE_UNREADABLE', message: raw[1]! }, thumbnail: null }),
        batchPage(1, { status: 'error', error: { code: 'OCR_CRASHED', message: raw[0]! }, thumbnail: null }),
        batchPage(2),
      ],
      { lastError: `SCANNER_DISCONNECTED: ${raw[3]!}` },
    );
    const h = harness(view, {
      'digitise.editBatch': () => {
        throw new FakeFailure('STORE_FAILURE', raw[2]!);
      },
    });
    const wrapper = await mountWithBatch(h);
    expect(wrapper.get('[data-testid="page-error-text-0"]').text()).toBe(
      'Không đọc được ảnh của trang này (ảnh hỏng hoặc không đúng định dạng).',
    );
    expect(wrapper.get('[data-testid="page-error-text-1"]').text()).toBe(
      'Lỗi hệ thống. Vui lòng thử lại; nếu vẫn lỗi, báo cán bộ CNTT.',
    );
    expect(wrapper.get('[data-testid="batch-last-error"]').text()).toContain('Mất kết nối với máy quét giữa chừng.');
    await wrapper.get('[data-testid="page-2"]').trigger('click');
    await wrapper.get('[data-testid="page-rotate-right"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="edit-error"]').text()).toContain('Không ghi được dữ liệu vào kho lưu trữ');
    for (const text of raw) expect(wrapper.text()).not.toContain(text);
  });

  it('names the file an import could not read, in words from the locale', async () => {
    const { FakeFailure } = await import('../testing/fake-api');
    const h = harness(threePages(), {
      'digitise.importFiles': () => {
        throw new FakeFailure(
          'IMAGE_UNREADABLE',
          "Không đọc được tệp hong.pdf: Syntax Error: Couldn't find trailer dictionary",
          { file: 'hong.pdf' },
        );
      },
    });
    const wrapper = mountWith(DigitiserView, h);
    await settle();
    const input = wrapper.get('[data-testid="import-input"]');
    Object.defineProperty(input.element, 'files', {
      value: [new File(['%PDF-1.4 broken'], 'hong.pdf', { type: 'application/pdf' })],
      configurable: true,
    });
    await input.trigger('change');
    for (let i = 0; i < 20 && !wrapper.find('[data-testid="start-error"]').exists(); i += 1) await settle();
    const box = wrapper.get('[data-testid="start-error"]');
    expect(box.text()).toContain('Không đọc được tệp ảnh hoặc PDF');
    expect(box.text()).toContain('Tệp: hong.pdf');
    expect(box.text()).not.toContain('trailer');
  });
});

describe('digitisation station: intake hand-off and finishing', () => {
  it('pre-fills the metadata from a picked pending component, then finishes with the metadata and target', async () => {
    const view = batchView([batchPage(0), batchPage(1)]);
    let finished = false;
    const h = harness(view, {
      'digitise.batch': () =>
        finished
          ? batchView(
              view.pages.map((p) => ({ ...p, documentId: 'L:7' })),
              { state: 'closed' },
            )
          : view,
      'digitise.finish': () => {
        finished = true;
        return finishResult;
      },
    });
    const wrapper = mountWith(DigitiserView, h);
    await settle();
    await wrapper.get(`[data-testid="pending-${pendingCccd.dossierCode}-TP02"]`).trigger('keydown', { key: 'Enter' });
    expect(wrapper.get('[data-testid="digitise-target"]').text()).toContain('Bản sao Căn cước công dân');
    await wrapper.get('[data-testid="scan-start"]').trigger('click');
    await settle();

    const value = (id: string) => (wrapper.get(`[data-testid="meta-${id}"]`).element as HTMLInputElement).value;
    expect(value('ownerIdNumber')).toBe('001203004567');
    expect(value('ownerName')).toBe('Nguyễn Văn Dũng');
    expect(value('documentCode')).toBe('KQ0003');
    expect(value('documentName')).toBe('Căn cước công dân');
    expect(value('dossierCode')).toBe(pendingCccd.dossierCode);
    expect(value('procedureCode')).toBe('1.004873');
    expect(wrapper.get('[data-testid="meta-component"]').text()).toContain('Bản sao Căn cước công dân');

    // Typed into the date field and Ctrl+Enter at once: the date is taken without leaving the field.
    const validUntil = wrapper.get('[data-testid="meta-validUntil"]');
    (validUntil.element as HTMLInputElement).focus();
    await validUntil.setValue('17/05/2036');
    press('Enter', { ctrlKey: true });
    await settle();

    expect(h.fake.callsOf('digitise.finish')[0]!.params).toEqual({
      batchId: 'b-1',
      group: 0,
      componentCode: 'TP02',
      metadata: {
        ownerIdNumber: '001203004567',
        ownerName: 'Nguyễn Văn Dũng',
        documentCode: 'KQ0003',
        documentName: 'Căn cước công dân',
        dossierCode: pendingCccd.dossierCode,
        permanent: false,
        validUntil: '2036-05-17',
        issuer: null,
        number: null,
        issuedOn: null,
        summary: null,
        kind: 'component',
        procedureCode: '1.004873',
        sectorCode: null,
      },
    });
    const result = wrapper.get('[data-testid="finish-result"]');
    expect(result.get('[data-testid="finish-result-id"]').text()).toBe('L:7');
    expect(result.get('[data-testid="finish-result-pages"]').text()).toBe('2');
    expect(result.get('[data-testid="finish-result-size"]').text()).toBe('180 KB');
    expect(result.find('[data-testid="finish-result-closed"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="doc-group-finished-0"]').text()).toContain('L:7');
  });

  it('keeps the result of a finished document in view while the next document of the batch is selected', async () => {
    let view = batchView([batchPage(0), batchPage(1, { group: 1 })]);
    const h = harness(view, {
      'digitise.batch': () => view,
      'digitise.finish': () => {
        view = batchView([batchPage(0, { documentId: 'L:7' }), batchPage(1, { group: 1 })]);
        return { ...finishResult, pageCount: 1, batchClosed: false };
      },
    });
    const wrapper = await mountWithBatch(h);
    await wrapper
      .get('[data-testid="meta-pending"]')
      .setValue(`${pendingCccd.dossierCode}/${pendingCccd.componentCode}`);
    await wrapper.get('[data-testid="meta-permanent"]').setValue(true);
    press('Enter', { ctrlKey: true });
    await settle();
    expect(h.fake.callsOf('digitise.finish')[0]!.params).toMatchObject({ group: 0, componentCode: 'TP02' });
    expect(wrapper.get('[data-testid="page-1"]').attributes('aria-selected')).toBe('true');
    expect(wrapper.get('#metadata-title').text()).toBe('Thông tin tài liệu 2');
    expect(wrapper.get('[data-testid="finish-result"]').text()).toContain('Đã tạo bản số hóa của tài liệu 1');
    expect(wrapper.get('[data-testid="finish-result-id"]').text()).toBe('L:7');
    // The next document starts with the same owner and dossier, without the component.
    expect((wrapper.get('[data-testid="meta-ownerIdNumber"]').element as HTMLInputElement).value).toBe('001203004567');
    expect((wrapper.get('[data-testid="meta-documentCode"]').element as HTMLInputElement).value).toBe('');
    expect((wrapper.get('[data-testid="meta-pending"]').element as HTMLSelectElement).value).toBe('');
  });
});
