// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReturnView } from '../../../common/contract';
import { setApiForTests } from '../api';
import { dossier, PDF_BASE64 } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import { quietIframeLoading } from '../testing/quiet-iframes';
import ApologyPanel from './ApologyPanel.vue';

beforeAll(quietIframeLoading);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const code = '000.00.12.H56-250715-0001';
const letter = {
  id: 1,
  issuedAt: '2025-07-30T10:00',
  previousAppointmentAt: '2025-07-29T09:05',
  newAppointmentAt: '2025-08-04T10:00',
  extensionDays: 3,
  reason: 'Chờ xác minh',
  officer: 'Cán bộ',
};

function view(overrides: Partial<ReturnView> = {}): ReturnView {
  return {
    dossier: dossier({ status: 4, appointmentAt: '2025-07-29T09:05' }),
    processedAt: null,
    results: [],
    resultState: 'none',
    ready: false,
    late: true,
    canApologise: true,
    handOver: null,
    delayLetters: [],
    ...overrides,
  };
}

describe('form 4 on the dossier screen', () => {
  it('previews the new date, requires a reason, issues, shows and prints the letter', async () => {
    let current = view();
    const h = setupHarness({
      'returns.get': () => current,
      'returns.apologyQuote': ({ extensionDays }) => ({
        previousAppointmentAt: '2025-07-29T09:05',
        newAppointmentAt: extensionDays === 3 ? '2025-08-04T10:00' : '2025-08-05T10:00',
        notes: [],
      }),
      'returns.issueApology': () => {
        current = view({ canApologise: false, delayLetters: [letter] });
        return { letter, pdf: { fileName: 'f4.pdf', base64: PDF_BASE64, sha256: 's' } };
      },
      'returns.apologyPdf': () => ({ fileName: 'f4.pdf', base64: PDF_BASE64, sha256: 's' }),
      'returns.printApology': () => ({ printer: 'Máy in mô phỏng', jobId: 'j1' }),
    });
    const wrapper = mountWith(ApologyPanel, h, { props: { code, status: 4 } });
    await settle();
    expect(wrapper.get('[data-testid="apology-preview"]').text()).toContain('04/08/2025');
    await wrapper.get('[data-testid="apology-days"]').setValue(4);
    await settle();
    expect(wrapper.get('[data-testid="apology-preview"]').text()).toContain('05/08/2025');
    await wrapper.get('[data-testid="apology-form"]').trigger('submit');
    await settle();
    expect(wrapper.text()).toContain('Nhập lý do chậm trễ.');
    expect(h.fake.callsOf('returns.issueApology')).toHaveLength(0);
    await wrapper.get('[data-testid="apology-reason"]').setValue('Chờ xác minh');
    await wrapper.get('[data-testid="apology-form"]').trigger('submit');
    await settle();
    expect(h.fake.callsOf('returns.issueApology')[0]!.params).toEqual({
      code,
      extensionDays: 4,
      reason: 'Chờ xác minh',
    });
    expect(wrapper.get('[data-testid="apology-preview-pdf"]').element.tagName).toBe('IFRAME');
    expect(wrapper.find('[data-testid="apology-form"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="apology-letters"]').text()).toContain('04/08/2025');
    await wrapper.get('[data-testid="apology-print-1"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="apology-printed"]').text()).toContain('Máy in mô phỏng');
  });

  it('is hidden for a dossier on time; links to the return screen once processed', async () => {
    const h = setupHarness({ 'returns.get': () => view({ canApologise: false, late: false }) });
    const wrapper = mountWith(ApologyPanel, h, { props: { code, status: 2 } });
    await settle();
    expect(wrapper.find('[data-testid="apology-panel"]').exists()).toBe(false);
    await wrapper.setProps({ status: 9 });
    await settle();
    expect(wrapper.get('[data-testid="dossier-go-return"]').attributes('href')).toContain(`/returns/${code}`);
  });
});
