// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { initialComponents } from '../stores/intake-draft';
import { useIntakeStore } from '../stores/intake';
import { dossier, lookupResult, PDF_BASE64, procedure } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import { quietIframeLoading } from '../testing/quiet-iframes';
import ReceiveSection from './ReceiveSection.vue';

beforeAll(() => {
  quietIframeLoading();
  if (!URL.createObjectURL)
    Object.assign(URL, { createObjectURL: () => 'blob:fake', revokeObjectURL: () => undefined });
});

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

function prepareDraft(): void {
  const intake = useIntakeStore();
  const d = intake.draft;
  d.idInput = '001090012345';
  d.idNumber = '001090012345';
  d.person.fullName = 'Nguyễn Văn An';
  d.lookup = lookupResult;
  d.procedure = procedure;
  d.components = initialComponents(procedure, lookupResult.documents);
  d.components.CCCD!.consent = true;
}

describe('receive', () => {
  it('sends one request when the button is clicked twice quickly, then shows the result', async () => {
    let release: () => void = () => undefined;
    const harness = setupHarness({
      'intake.receive': () => new Promise((resolve) => (release = () => resolve(dossier()))),
      'dossier.document': () => ({ fileName: 'r.pdf', base64: PDF_BASE64, sha256: 'x' }),
      'dossier.printReceipt': () => ({ printer: 'EPSON-Q01', jobId: '1' }),
    });
    prepareDraft();
    const wrapper = mountWith(ReceiveSection, harness);
    const button = wrapper.get('[data-testid="receive-button"]');
    void button.trigger('click');
    void button.trigger('click');
    await settle();
    expect(harness.fake.callsOf('intake.receive')).toHaveLength(1);
    release();
    await settle();

    expect(wrapper.get('[data-testid="dossier-code"]').text()).toBe('000.00.12.H56-250715-0001');
    expect(wrapper.get('[data-testid="appointment-at"]').text()).toBe('29/07/2025 09:05');
    const frame = wrapper.get('[data-testid="receipt-preview"]');
    expect(frame.element.tagName).toBe('IFRAME');
    expect(frame.attributes('src')).toMatch(/^blob:/);
    expect(harness.fake.callsOf('dossier.document')[0]!.params).toEqual({
      code: '000.00.12.H56-250715-0001',
      kind: 'receipt',
    });

    await wrapper.get('[data-testid="print-receipt"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="print-status"]').text()).toBe('Đã gửi tới máy in EPSON-Q01');
    expect(harness.fake.callsOf('intake.receive')).toHaveLength(1);
  });

  it('receives on F9 and prints on Ctrl+P', async () => {
    const harness = setupHarness({
      'intake.receive': () => dossier(),
      'dossier.document': () => ({ fileName: 'r.pdf', base64: PDF_BASE64, sha256: 'x' }),
      'dossier.printReceipt': () => ({ printer: 'EPSON-Q01', jobId: '1' }),
      'queue.state': () => ({ counter: 'Q01', current: null, waiting: [], skipped: [] }),
    });
    prepareDraft();
    const { default: IntakeView } = await import('../views/IntakeView.vue');
    const wrapper = mountWith(IntakeView, harness);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F9', cancelable: true }));
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F9', cancelable: true }));
    await settle();
    expect(harness.fake.callsOf('intake.receive')).toHaveLength(1);
    expect(wrapper.get('[data-testid="dossier-code"]').text()).toBe('000.00.12.H56-250715-0001');
    const print = new KeyboardEvent('keydown', { key: 'p', code: 'KeyP', ctrlKey: true, cancelable: true });
    window.dispatchEvent(print);
    expect(print.defaultPrevented).toBe(true);
    await settle();
    expect(harness.fake.callsOf('dossier.printReceipt')).toHaveLength(1);
    wrapper.unmount();
  });

  it('shows the Vietnamese message of an error code and names the field of a validation error', async () => {
    const harness = setupHarness({});
    prepareDraft();
    useIntakeStore().draft.person.fullName = '';
    const wrapper = mountWith(ReceiveSection, harness);
    await wrapper.get('[data-testid="receive-button"]').trigger('click');
    await settle();
    const error = wrapper.get('[data-testid="receive-error"]').text();
    expect(error).toContain('Dữ liệu nhập chưa hợp lệ.');
    expect(error).toContain('Họ và tên');
    expect(harness.fake.callsOf('intake.receive')).toHaveLength(0);
  });
});
