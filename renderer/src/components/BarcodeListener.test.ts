// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { SessionUser } from '../../../common/contract';
import { setApiForTests } from '../api';
import { classifyScan } from '../composables/scan-routing';
import { useAppStore } from '../stores/app';
import { useIntakeStore } from '../stores/intake';
import { useSessionStore } from '../stores/session';
import { appInfo, lookupResult, VALID_QR } from '../testing/fixtures';
import { pressKey, typeText } from '../testing/keys';
import { mountWith, settle, setupHarness, type Harness } from '../testing/mount';
import ApplicantSection from './ApplicantSection.vue';
import BarcodeListener from './BarcodeListener.vue';

const Screen = defineComponent({
  render: () => [h(BarcodeListener), h(ApplicantSection), h('textarea', { 'data-testid': 'notes' })],
});

const officer: SessionUser = { username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' };

let harness: Harness;
let wrapper: ReturnType<typeof mountWith>;

async function open(user: SessionUser | null = officer, path = '/intake') {
  harness = setupHarness({ 'applicant.lookup': () => lookupResult });
  useSessionStore().user = user;
  await harness.router.push(path);
  wrapper = mountWith(Screen, harness);
  await settle();
}

function el<T extends Element = HTMLInputElement>(testid: string): T {
  return wrapper.get(`[data-testid="${testid}"]`).element as unknown as T;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'] });
});

afterEach(() => {
  wrapper?.unmount();
  setApiForTests(null);
  document.body.innerHTML = '';
  vi.useRealTimers();
});

describe('scan classification', () => {
  it.each([
    [VALID_QR, 'id-card'],
    ['0012|abc', 'id-card'],
    ['000.00.12.H56-261204-0042', 'dossier'],
    ['https://dvc.example.vn/tra-cuu?ma=000.00.12.H56-261204-0042', 'dossier'],
    ['000.00.12.H56-261399-0042', 'unknown'],
    ['8934567890123', 'unknown'],
  ])('%s → %s', (text, kind) => {
    expect(classifyScan(text).kind).toBe(kind);
  });
});

describe('scans routed to the current flow', () => {
  it('an ID card QR scanned into the applicant field fills the applicant through the existing parser', async () => {
    await open();
    const field = el('applicant-id');
    field.focus();
    typeText(field, VALID_QR, 3);
    await settle();
    expect(el('applicant-id').value).toBe('001090012345');
    expect(el('person-fullName').value).toBe('Nguyễn Văn An');
    expect(el('person-address').value).toBe('Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội');
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(1);
  });

  it('an ID card QR the reader sent with one slow moment in the middle is still read whole', async () => {
    await open();
    const field = el('applicant-id');
    field.focus();
    const cut = VALID_QR.indexOf('|', 13);
    typeText(field, VALID_QR.slice(0, cut), 3, null);
    vi.advanceTimersByTime(400); // a busy machine: one gap far over the threshold
    typeText(field, VALID_QR.slice(cut), 3);
    await settle();
    expect(el('applicant-id').value).toBe('001090012345');
    expect(el('person-fullName').value).toBe('Nguyễn Văn An');
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(1);
  });

  it('an ID card QR scanned while typing in another text field lands in the applicant step; the field keeps only what the officer typed', async () => {
    await open();
    const notes = el<HTMLTextAreaElement>('notes');
    notes.focus();
    typeText(notes, 'khach ', 150, null);
    vi.advanceTimersByTime(300);
    typeText(notes, VALID_QR, 4);
    await settle();
    expect(notes.value).toBe('khach ');
    expect(useIntakeStore().draft.idNumber).toBe('001090012345');
    expect(el('person-fullName').value).toBe('Nguyễn Văn An');
  });

  it('a malformed ID QR shows the parser reason in the applicant step and fills nothing', async () => {
    await open();
    typeText(document.body, '0012|abc|Nguyen', 4);
    await settle();
    const error = wrapper.get('[data-testid="applicant-error"]');
    expect(error.text()).toContain('Mã QR CCCD không hợp lệ');
    expect(error.text()).toContain('có 3 trường');
    expect(el('person-fullName').value).toBe('');
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(0);
  });

  it('an ID card QR typed 50 ms apart (a busy machine) into another field is read whole; that field keeps only the officer text', async () => {
    await open();
    const notes = el<HTMLTextAreaElement>('notes');
    notes.focus();
    typeText(notes, 'khach ', 150, null);
    vi.advanceTimersByTime(300);
    typeText(notes, VALID_QR, 50);
    await settle();
    expect(notes.value).toBe('khach ');
    expect(useIntakeStore().draft.idNumber).toBe('001090012345');
    expect(el('person-fullName').value).toBe('Nguyễn Văn An');
  });

  it('an ID card QR split by a long stall in another field: routed whole, the head taken out of that field', async () => {
    await open();
    const notes = el<HTMLTextAreaElement>('notes');
    notes.focus();
    typeText(notes, 'khach ', 150, null);
    vi.advanceTimersByTime(300);
    const cut = VALID_QR.indexOf('|', 30);
    typeText(notes, VALID_QR.slice(0, cut), 4, null);
    vi.advanceTimersByTime(400);
    typeText(notes, VALID_QR.slice(cut), 4);
    await settle();
    expect(notes.value).toBe('khach ');
    expect(el('person-fullName').value).toBe('Nguyễn Văn An');
    expect(el('person-address').value).toBe('Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội');
  });

  it('an ID QR scanned on another screen opens the intake first', async () => {
    await open(officer, '/today');
    typeText(document.body, VALID_QR, 3);
    await settle();
    expect(harness.router.currentRoute.value.path).toBe('/intake');
    expect(useIntakeStore().draft.person.fullName).toBe('Nguyễn Văn An');
  });

  it('a receipt dossier code opens the dossier', async () => {
    await open();
    typeText(document.body, '000.00.12.H56-261204-0042', 4);
    await settle();
    expect(harness.router.currentRoute.value.path).toBe('/dossier/000.00.12.H56-261204-0042');
    expect(wrapper.get('[data-testid="scan-notice"]').text()).toContain('Đang mở hồ sơ 000.00.12.H56-261204-0042');
  });

  it('an unrecognised scan gets a Vietnamese message and goes nowhere', async () => {
    await open();
    typeText(document.body, '8934567890123', 4);
    await settle();
    const notice = wrapper.get('[data-testid="scan-notice"]');
    expect(notice.attributes('role')).toBe('alert');
    expect(notice.text()).toContain('Không nhận ra mã vừa quét (8934567890123)');
    expect(harness.router.currentRoute.value.path).toBe('/intake');
    await wrapper.get('[data-testid="scan-notice-close"]').trigger('click');
    expect(wrapper.find('[data-testid="scan-notice"]').exists()).toBe(false);
  });

  it('an unrouted code read into a text field stays there as typed: a 12-digit ID barcode in the applicant field is looked up', async () => {
    await open();
    const field = el('applicant-id');
    field.focus();
    const enter = typeText(field, '001090012345', 4)!;
    await settle();
    expect(enter.defaultPrevented).toBe(true); // by the applicant field's own @keydown.enter.prevent
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(1);
    expect(useIntakeStore().draft.idNumber).toBe('001090012345');
    expect(wrapper.find('[data-testid="scan-notice"]').exists()).toBe(false);
  });

  it('a person typing an ID and pressing Enter is handled by the applicant field, not as a scan', async () => {
    await open();
    const field = el('applicant-id');
    field.focus();
    typeText(field, '001090012345', 140);
    await settle();
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(1);
    expect(wrapper.find('[data-testid="scan-notice"]').exists()).toBe(false);
  });

  it('serial reader scans from the core take the same route', async () => {
    await open();
    harness.fake.emit('barcode.scanned', { text: '000.00.12.H56-261204-0042', reader: 'serial:/dev/ttyUSB0@9600' });
    await settle();
    expect(harness.router.currentRoute.value.path).toBe('/dossier/000.00.12.H56-261204-0042');
    await harness.router.push('/intake');
    harness.fake.emit('barcode.scanned', { text: VALID_QR, reader: 'serial:/dev/ttyUSB0@9600' });
    await settle();
    expect(useIntakeStore().draft.idNumber).toBe('001090012345');
    harness.fake.emit('barcode.scanned', { text: 'A\uFFFD(B', reader: 'serial:/dev/ttyUSB0@9600' });
    await settle();
    expect(wrapper.get('[data-testid="scan-notice"]').text()).toContain('Không nhận ra mã vừa quét');
  });

  it('a lost serial reader is shown in Vietnamese until it is back', async () => {
    await open();
    harness.fake.emit('barcode.state', {
      reader: 'serial:/dev/ttyUSB0@9600',
      connected: false,
      error: { code: 'BARCODE_DISCONNECTED', message: 'x' },
    });
    await settle();
    expect(wrapper.get('[data-testid="barcode-reader-problem"]').text()).toContain('Mất kết nối với đầu đọc mã vạch');
    harness.fake.emit('barcode.state', { reader: 'serial:/dev/ttyUSB0@9600', connected: true });
    await settle();
    expect(wrapper.find('[data-testid="barcode-reader-problem"]').exists()).toBe(false);
  });

  it('signed out, or a role without intake: told why, nothing filled', async () => {
    await open(null);
    typeText(document.body, VALID_QR, 3);
    await settle();
    expect(wrapper.get('[data-testid="scan-notice"]').text()).toContain('Vui lòng đăng nhập');
    wrapper.unmount();
    await open({ username: 'sohoa1', displayName: 'Trần Văn Số Hóa', role: 'digitiser' }, '/today');
    typeText(document.body, VALID_QR, 3);
    await settle();
    expect(wrapper.get('[data-testid="scan-notice"]').text()).toContain('không tiếp nhận hồ sơ');
    expect(useIntakeStore().draft.idNumber).toBeNull();
  });

  it('thresholds from app.info (config barcode.wedge) are used', async () => {
    await open();
    useAppStore().info = { ...appInfo, barcodeWedge: { enabled: false, maxGapMs: 35, minLength: 6 } };
    const enter = typeText(document.body, '000.00.12.H56-261204-0042', 4)!;
    await settle();
    expect(enter.defaultPrevented).toBe(false);
    expect(harness.router.currentRoute.value.path).toBe('/intake');
    pressKey(document.body, 'Escape');
  });
});
