// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { useIntakeStore } from '../stores/intake';
import { lookupResult, VALID_QR } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import ApplicantSection from './ApplicantSection.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

function input(wrapper: ReturnType<typeof mountWith>, testid: string): HTMLInputElement {
  return wrapper.get(`[data-testid="${testid}"]`).element as HTMLInputElement;
}

/** What a keyboard-wedge reader does: the whole payload typed into the field, then Enter. */
async function wedge(wrapper: ReturnType<typeof mountWith>, text: string): Promise<void> {
  const field = wrapper.get('[data-testid="applicant-id"]');
  await field.setValue(text);
  await field.trigger('keydown', { key: 'Enter' });
  await settle();
}

describe('applicant field', () => {
  it('fills the person form from a valid 7-field QR payload and keeps only the 12-digit ID', async () => {
    const harness = setupHarness({ 'applicant.lookup': () => lookupResult });
    const wrapper = mountWith(ApplicantSection, harness);
    await wedge(wrapper, VALID_QR);

    expect(input(wrapper, 'applicant-id').value).toBe('001090012345');
    expect(input(wrapper, 'person-fullName').value).toBe('Nguyễn Văn An');
    expect(input(wrapper, 'person-birthDate').value).toBe('15/07/1990');
    expect((wrapper.get('[data-testid="person-sex"]').element as HTMLSelectElement).value).toBe('Nam');
    expect(input(wrapper, 'person-address').value).toBe('Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội');
    expect(input(wrapper, 'person-oldIdNumber').value).toBe('123456789');
    expect(input(wrapper, 'person-idIssueDate').value).toBe('01/02/2021');
    expect(useIntakeStore().draft.person.birthDate).toBe('1990-07-15');
    expect(wrapper.find('[data-testid="applicant-error"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="applicant-qr-info"]').text()).toContain('Đã điền thông tin từ mã QR');
    expect(wrapper.get('[data-testid="national-verified"]').text()).toBe('Đã xác thực');
    expect(wrapper.get('[data-testid="applicant-documents"]').text()).toContain('KQ0003');
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(1);
  });

  it('lists what the QR did not carry', async () => {
    const harness = setupHarness({ 'applicant.lookup': () => lookupResult });
    const wrapper = mountWith(ApplicantSection, harness);
    await wedge(wrapper, '001090012345||Nguyễn Văn An|15071990|Nam||01022021');
    expect(input(wrapper, 'person-fullName').value).toBe('Nguyễn Văn An');
    expect(wrapper.get('[data-testid="applicant-qr-unread"]').text()).toContain('Địa chỉ');
    expect(wrapper.get('[data-testid="applicant-warnings"]').text()).toContain('nơi thường trú');
  });

  it('shows the parser reason for a malformed payload and fills nothing', async () => {
    const harness = setupHarness({ 'applicant.lookup': () => lookupResult });
    const wrapper = mountWith(ApplicantSection, harness);
    await wedge(wrapper, '0012|abc');

    const error = wrapper.get('[data-testid="applicant-error"]');
    expect(error.attributes('role')).toBe('alert');
    expect(error.text()).toContain('Mã QR CCCD không hợp lệ');
    expect(error.text()).toContain('số định danh');
    expect(input(wrapper, 'person-fullName').value).toBe('');
    expect(input(wrapper, 'person-address').value).toBe('');
    expect(useIntakeStore().draft.idNumber).toBeNull();
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(0);
  });

  it('rejects an 11-digit ID with a clear error', async () => {
    const harness = setupHarness({ 'applicant.lookup': () => lookupResult });
    const wrapper = mountWith(ApplicantSection, harness);
    await wedge(wrapper, '00109001234');

    const error = wrapper.get('[data-testid="applicant-error"]');
    expect(error.text()).toContain('Số định danh không hợp lệ');
    expect(error.text()).toContain('12 chữ số');
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(0);
  });

  it('looks up a typed 12-digit ID and says when the national portal is unreachable', async () => {
    const harness = setupHarness({
      'applicant.lookup': () => ({ local: null, national: null, nationalReachable: false, documents: [] }),
    });
    const wrapper = mountWith(ApplicantSection, harness);
    await wedge(wrapper, '001090012345');
    expect(wrapper.find('[data-testid="applicant-error"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="national-unreachable"]').text()).toBe('Không kết nối được Cổng DVC quốc gia');
  });

  it('checks an organisation code when the organisation switch is on', async () => {
    const harness = setupHarness({ 'applicant.lookup': () => ({ local: null, national: null, nationalReachable: true, documents: [] }) });
    const wrapper = mountWith(ApplicantSection, harness);
    await wrapper.get('[data-testid="applicant-is-organisation"]').setValue(true);
    await wedge(wrapper, '12345');
    expect(wrapper.get('[data-testid="applicant-error"]').text()).toContain('Mã định danh tổ chức không hợp lệ');
    await wedge(wrapper, '0101234567');
    expect(harness.fake.callsOf('applicant.lookup')[0]!.params).toEqual({ kind: 'enterprise', idNumber: '0101234567' });
  });
});
