// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { ReadyItem, ReturnView, SessionUser } from '../../../common/contract';
import { setApiForTests } from '../api';
import BarcodeListener from '../components/BarcodeListener.vue';
import { idFromScan, useReturnsStore } from '../stores/returns';
import { useSessionStore } from '../stores/session';
import { FakeFailure } from '../testing/fake-api';
import { dossier, PDF_BASE64, VALID_QR } from '../testing/fixtures';
import { pressKey } from '../testing/keys';
import { mountWith, settle, setupHarness, type Harness } from '../testing/mount';
import { quietIframeLoading } from '../testing/quiet-iframes';
import ReturnsView from './ReturnsView.vue';

beforeAll(quietIframeLoading);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const code = '000.00.12.H56-250715-0001';
const other = '000.00.12.H56-250715-0002';
const officer: SessionUser = { username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' };

function item(overrides: Partial<ReadyItem> = {}): ReadyItem {
  return {
    code,
    applicantName: 'Nguyễn Văn An',
    applicantIdNumber: '001090012345',
    procedureName: 'Cấp Phiếu lý lịch tư pháp',
    receivedAt: '2025-07-15T09:05',
    appointmentAt: '2025-07-29T09:05',
    processedAt: '2025-07-18T15:30',
    late: false,
    delivery: 'desk',
    resultState: 'stored',
    ...overrides,
  };
}

function view(overrides: Partial<ReturnView> = {}, status = 9): ReturnView {
  return {
    dossier: dossier({ status }),
    processedAt: '2025-07-18T15:30',
    results: [
      {
        id: 1,
        fileName: 'kq.pdf',
        documentName: 'Phiếu lý lịch tư pháp',
        documentCode: 'KQ.G13.000031',
        state: 'stored',
        attempts: 0,
        lastErrorCode: null,
        documentId: 'L:7',
        sizeBytes: 900,
      },
    ],
    resultState: 'stored',
    ready: status === 9,
    late: false,
    canApologise: false,
    handOver: null,
    delayLetters: [],
    ...overrides,
  };
}

const returned = view(
  {
    handOver: {
      returnedAt: '2025-07-20T10:00',
      officer: officer.displayName,
      collectorKind: 'applicant',
      collectorName: 'Nguyễn Văn An',
      collectorIdNumber: '00109****345',
      authorisation: null,
      delivery: 'desk',
      trackingNumber: null,
    },
    ready: false,
  },
  10,
);

async function mountView(h0: Harness, props: { code?: string } = {}) {
  h0.router.addRoute({ path: '/returns/:code?', name: 'returns', component: { template: '<div />' } });
  await h0.router.push(props.code ? `/returns/${props.code}` : '/returns');
  const wrapper = mountWith(ReturnsView, h0, { props });
  await settle();
  return wrapper;
}

describe('return of results screen', () => {
  it('finds a dossier by its typed code, checks the applicant and hands over with Ctrl+Enter', async () => {
    const h0 = setupHarness({
      'returns.listReady': () => [item(), item({ code: other, applicantName: 'Trần Thị Bình', late: true })],
      'returns.get': () => view(),
      'returns.handOver': () => returned,
    });
    const wrapper = await mountView(h0);
    expect(wrapper.findAll('[data-return-row]')).toHaveLength(2);
    expect(wrapper.get(`[data-testid="return-row-${other}"]`).text()).toContain('Trễ hạn');
    const search = wrapper.get('[data-testid="returns-search"]');
    expect(document.activeElement).toBe(search.element);
    await search.setValue(code);
    expect(wrapper.findAll('[data-return-row]')).toHaveLength(1);
    await search.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h0.fake.callsOf('returns.get')[0]!.params).toEqual({ code });
    expect(h0.router.currentRoute.value.path).toBe(`/returns/${code}`);
    expect(wrapper.get('[data-testid="return-status"]').text()).toBe('Đã xử lý xong');
    expect(wrapper.get('[data-testid="return-results"]').text()).toContain('Đã lưu vào kho dữ liệu: L:7');
    const idField = wrapper.get('[data-testid="return-collector-id"]');
    expect(document.activeElement).toBe(idField.element);
    await idField.setValue('001090012345');
    pressKey(window, 'Enter', { ctrlKey: true });
    await settle();
    expect(h0.fake.callsOf('returns.handOver')[0]!.params).toEqual({
      code,
      delivery: 'desk',
      collector: { kind: 'applicant', fullName: '', idNumber: '001090012345', authorisation: '' },
      trackingNumber: '',
      note: '',
    });
    expect(wrapper.get('[data-testid="return-done"]').text()).toContain('Đã trả kết quả lúc');
    expect(wrapper.find('[data-testid="return-form"]').exists()).toBe(false);
    expect(wrapper.findAll('[data-return-row]')).toHaveLength(1);
  });

  it('an authorised person: the core’s refusal is shown in Vietnamese, then the hand-over goes through', async () => {
    let attempts = 0;
    const h0 = setupHarness({
      'returns.listReady': () => [item()],
      'returns.get': () => view(),
      'returns.handOver': (p) => {
        attempts += 1;
        if (p.collector.authorisation === '') throw new FakeFailure('AUTHORISATION_REQUIRED');
        return returned;
      },
    });
    const wrapper = await mountView(h0, { code });
    await wrapper.get('[data-testid="return-kind-authorised"]').setValue(true);
    await settle();
    expect(document.activeElement).toBe(wrapper.get('[data-testid="return-collector-name"]').element);
    await wrapper.get('[data-testid="return-collector-name"]').setValue('Trần Thị Bình');
    await wrapper.get('[data-testid="return-collector-id"]').setValue('001203009999');
    await wrapper.get('[data-testid="return-form"]').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="return-error"]').text()).toContain(
      'Người được ủy quyền cần có họ tên, số định danh và thông tin văn bản ủy quyền.',
    );
    await wrapper.get('[data-testid="return-authorisation"]').setValue('Giấy ủy quyền số 12');
    await wrapper.get('[data-testid="return-form"]').trigger('submit');
    await settle();
    expect(attempts).toBe(2);
    expect(h0.fake.callsOf('returns.handOver')[1]!.params).toMatchObject({
      collector: {
        kind: 'authorised',
        fullName: 'Trần Thị Bình',
        idNumber: '001203009999',
        authorisation: 'Giấy ủy quyền số 12',
      },
    });
    expect(wrapper.find('[data-testid="return-done"]').exists()).toBe(true);
  });

  it('by post asks for the tracking number; a missing result file blocks and can be fetched again', async () => {
    const pending = view({
      results: [
        {
          ...view().results[0]!,
          state: 'pending',
          attempts: 2,
          lastErrorCode: 'RESULT_CHECKSUM_MISMATCH',
          documentId: null,
        },
      ],
      resultState: 'pending',
      ready: false,
    });
    const h0 = setupHarness({
      'returns.listReady': () => [item({ resultState: 'pending' })],
      'returns.get': () => pending,
      'returns.refetch': () => view(),
      'returns.resultPdf': () => ({ fileName: 'kq.pdf', base64: PDF_BASE64, sha256: 'x' }),
      'returns.handOver': () => ({
        ...returned,
        handOver: { ...returned.handOver!, delivery: 'post', trackingNumber: 'EB1VN' },
      }),
    });
    const wrapper = await mountView(h0, { code });
    expect(wrapper.get('[data-testid="return-not-ready"]').text()).toContain('Đang chờ tệp kết quả');
    expect(wrapper.get('[data-testid="return-result-pending-1"]').text()).toContain('RESULT_CHECKSUM_MISMATCH');
    await wrapper.get('[data-testid="return-refetch"]').trigger('click');
    await settle();
    await wrapper.get('[data-testid="return-result-open-1"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="return-result-preview"]').element.tagName).toBe('IFRAME');
    await wrapper.get('[data-testid="return-delivery-post"]').setValue(true);
    await settle();
    expect(document.activeElement).toBe(wrapper.get('[data-testid="return-tracking"]').element);
    await wrapper.get('[data-testid="return-tracking"]').setValue('EB1VN');
    await wrapper.get('[data-testid="return-form"]').trigger('submit');
    await settle();
    expect(h0.fake.callsOf('returns.handOver')[0]!.params).toMatchObject({ delivery: 'post', trackingNumber: 'EB1VN' });
    expect(wrapper.get('[data-testid="return-done"]').text()).toContain('mã bưu gửi EB1VN');
  });

  it('follows the core: the open dossier’s result file arriving unblocks the hand-over', async () => {
    let current = view({
      results: [{ ...view().results[0]!, state: 'pending', documentId: null }],
      resultState: 'pending',
      ready: false,
    });
    const h0 = setupHarness({
      'returns.listReady': () => [item({ resultState: current.resultState })],
      'returns.get': () => current,
    });
    const wrapper = await mountView(h0, { code });
    expect(wrapper.find('[data-testid="return-form"]').exists()).toBe(false);
    current = view();
    h0.fake.emit('dossier.changed', { code, status: 9 });
    await settle();
    expect(wrapper.find('[data-testid="return-form"]').exists()).toBe(true);
    expect(wrapper.get(`[data-testid="return-row-${code}"]`).text()).toContain('Đã nhận tệp kết quả');
  });

  it('a dossier that is not processed cannot be handed over; an unknown code shows NOT_FOUND', async () => {
    const h0 = setupHarness({
      'returns.listReady': () => [],
      'returns.get': ({ code: c }) => {
        if (c === other) throw new FakeFailure('NOT_FOUND');
        return view({ resultState: 'none', results: [] }, 4);
      },
    });
    const wrapper = await mountView(h0, { code });
    expect(wrapper.get('[data-testid="return-not-ready"]').text()).toContain('Đang xử lý');
    expect(wrapper.find('[data-testid="return-form"]').exists()).toBe(false);
    const search = wrapper.get('[data-testid="returns-search"]');
    await search.setValue(other);
    await search.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(wrapper.get('[data-testid="return-open-error"]').text()).toContain('Không tìm thấy');
  });
});

describe('scanning for the return of results', () => {
  const Screen = defineComponent({ render: () => [h(BarcodeListener)] });

  it('a receipt QR of a processed dossier opens the return flow; of another dossier, the dossier page', async () => {
    const h0 = setupHarness({ 'returns.get': ({ code: c }) => (c === code ? view() : view({}, 4)) });
    h0.router.addRoute({ path: '/returns/:code?', name: 'returns', component: { template: '<div />' } });
    useSessionStore().user = officer;
    await h0.router.push('/intake');
    const wrapper = mountWith(Screen, h0);
    await settle();
    h0.fake.emit('barcode.scanned', { text: code, reader: 'serial:/dev/ttyUSB0@9600' });
    await settle();
    expect(h0.router.currentRoute.value.path).toBe(`/returns/${code}`);
    await h0.router.push('/intake');
    h0.fake.emit('barcode.scanned', { text: other, reader: 'serial:/dev/ttyUSB0@9600' });
    await settle();
    expect(h0.router.currentRoute.value.path).toBe(`/dossier/${other}`);
    wrapper.unmount();
  });

  it('an ID card QR on the return screen fills the collector’s ID', async () => {
    const h0 = setupHarness({ 'returns.get': () => view() });
    h0.router.addRoute({ path: '/returns/:code?', name: 'returns', component: { template: '<div />' } });
    useSessionStore().user = officer;
    await h0.router.push(`/returns/${code}`);
    await useReturnsStore().open(code);
    const wrapper = mountWith(Screen, h0);
    h0.fake.emit('barcode.scanned', { text: VALID_QR, reader: 'serial:/dev/ttyUSB0@9600' });
    await settle();
    expect(useReturnsStore().form.idNumber).toBe('001090012345');
    expect(h0.router.currentRoute.value.path).toBe(`/returns/${code}`);
    expect(idFromScan('  001090012345  ')).toBe('001090012345');
    wrapper.unmount();
  });
});
