// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { createAppI18n } from '../locales';
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

  it('refuses a QR missing a field, a garbled one and one that lost letters, and fills nothing', async () => {
    const harness = setupHarness({ 'applicant.lookup': () => lookupResult });
    const wrapper = mountWith(ApplicantSection, harness);
    const cases: [string, RegExp][] = [
      ['001090012345||Nguyễn Văn An|15071990|Nam||01022021', /Mã QR không có Địa chỉ/u],
      ['001090012345||Nguyá»n VÄn An|15071990|Nam|Hà Nội|01022021', /sai bảng mã/u],
      ['001090012345||Ngyn Vn An|15071990|Nam|Hà Nội|01022021', /mất chữ ở trường Họ và tên/u],
      ['001090012345||Nguyễn Văn An|15071990|Nam|Hà Nội', /có 6 trường/u],
    ];
    for (const [payload, message] of cases) {
      await wedge(wrapper, payload);
      expect(wrapper.get('[data-testid="applicant-error"]').text(), payload).toMatch(message);
      expect(input(wrapper, 'person-fullName').value).toBe('');
      expect(useIntakeStore().draft.idNumber).toBeNull();
    }
    expect(harness.fake.callsOf('applicant.lookup')).toHaveLength(0);
  });

  it('repairs a QR read in the wrong code page exactly, and says so', async () => {
    const harness = setupHarness({ 'applicant.lookup': () => lookupResult });
    const wrapper = mountWith(ApplicantSection, harness);
    await wedge(wrapper, Buffer.from(VALID_QR, 'utf8').toString('latin1'));
    expect(input(wrapper, 'person-fullName').value).toBe('Nguyễn Văn An');
    expect(input(wrapper, 'person-address').value).toBe('Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội');
    expect(wrapper.get('[data-testid="applicant-qr-repaired"]').text()).toContain('khôi phục chính xác');
  });

  it('a card differing from the stored person: differences shown, only the ticked field taken, from the keyboard', async () => {
    const stored = {
      id: 5,
      kind: 'citizen' as const,
      idNumber: '001090012345',
      fullName: 'Nguyễn Văn An',
      oldIdNumber: '123456789',
      birthDate: '1990-07-15',
      sex: 'Nam' as const,
      address: 'Thôn Cũ, Hà Nội',
      idIssueDate: '2015-02-01',
      phone: '0912345678',
      email: null,
      portalVerified: true,
    };
    const harness = setupHarness({ 'applicant.lookup': () => ({ ...lookupResult, local: stored }) });
    const wrapper = mountWith(ApplicantSection, harness, { attachTo: document.body });
    await wedge(wrapper, VALID_QR);
    const panel = wrapper.get('[data-testid="person-diff"]');
    expect(wrapper.findAll('[data-testid^="person-diff-row-"]').map((r) => r.attributes('data-testid'))).toEqual([
      'person-diff-row-address',
      'person-diff-row-idIssueDate',
    ]);
    expect(panel.get('[data-testid="person-diff-row-address"]').text()).toContain('Thôn Cũ, Hà Nội');
    expect(panel.get('[data-testid="person-diff-row-address"]').text()).toContain('Số 1 Tràng Tiền');
    // Meanwhile the form holds the stored values.
    expect(input(wrapper, 'person-address').value).toBe('Thôn Cũ, Hà Nội');
    expect(document.activeElement).toBe(panel.element);
    await panel.trigger('keydown', { key: '2' });
    expect(input(wrapper, 'person-diff-accept-idIssueDate').checked).toBe(true);
    await panel.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(wrapper.find('[data-testid="person-diff"]').exists()).toBe(false);
    expect(input(wrapper, 'person-address').value).toBe('Thôn Cũ, Hà Nội');
    expect(input(wrapper, 'person-idIssueDate').value).toBe('01/02/2021');
    const draft = useIntakeStore().draft;
    expect(draft.confirmedChanges).toEqual(['idIssueDate']);
    expect(wrapper.get('[data-testid="person-changes"]').text()).toContain('Ngày cấp CCCD');
    wrapper.unmount();
  });

  it('in the diff panel A ticks every row and Esc still keeps everything as stored', async () => {
    const stored = {
      id: 5,
      kind: 'citizen' as const,
      idNumber: '001090012345',
      fullName: 'Nguyễn Văn Ân',
      oldIdNumber: '123456789',
      birthDate: '1990-07-15',
      sex: 'Nữ' as const,
      address: 'Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội',
      idIssueDate: '2021-02-01',
      phone: null,
      email: null,
      portalVerified: false,
    };
    const harness = setupHarness({ 'applicant.lookup': () => ({ ...lookupResult, local: stored }) });
    const wrapper = mountWith(ApplicantSection, harness, { attachTo: document.body });
    await wedge(wrapper, VALID_QR);
    const panel = wrapper.get('[data-testid="person-diff"]');
    expect(panel.findAll('input[type="checkbox"]')).toHaveLength(2);
    await panel.trigger('keydown', { key: 'a' });
    expect(input(wrapper, 'person-diff-accept-fullName').checked).toBe(true);
    expect(input(wrapper, 'person-diff-accept-sex').checked).toBe(true);
    await panel.trigger('keydown', { key: 'Escape' });
    await settle();
    expect(wrapper.find('[data-testid="person-diff"]').exists()).toBe(false);
    expect(input(wrapper, 'person-fullName').value).toBe('Nguyễn Văn Ân');
    expect((wrapper.get('[data-testid="person-sex"]').element as HTMLSelectElement).value).toBe('Nữ');
    expect(useIntakeStore().draft.confirmedChanges).toEqual([]);
    expect(wrapper.find('[data-testid="person-changes"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('shows the parser reason for a malformed payload and fills nothing', async () => {
    const harness = setupHarness({ 'applicant.lookup': () => lookupResult });
    const wrapper = mountWith(ApplicantSection, harness);
    await wedge(wrapper, '0012|abc');

    const error = wrapper.get('[data-testid="applicant-error"]');
    expect(error.attributes('role')).toBe('alert');
    expect(error.text()).toContain('Mã QR CCCD không hợp lệ');
    expect(error.text()).toContain('có 2 trường');
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
    const harness = setupHarness({
      'applicant.lookup': () => ({ local: null, national: null, nationalReachable: true, documents: [] }),
    });
    const wrapper = mountWith(ApplicantSection, harness);
    await wrapper.get('[data-testid="applicant-is-organisation"]').setValue(true);
    await wedge(wrapper, '12345');
    expect(wrapper.get('[data-testid="applicant-error"]').text()).toContain('Mã định danh tổ chức không hợp lệ');
    await wedge(wrapper, '0101234567');
    expect(harness.fake.callsOf('applicant.lookup')[0]!.params).toEqual({ kind: 'enterprise', idNumber: '0101234567' });
  });

  it('words the QR warnings from the locale with their details, in Vietnamese and in English', async () => {
    const payload = '999190001234||Lê Thị Cúc|15071991|Nam|Huế|20041980';
    const vi = mountWith(ApplicantSection, setupHarness({ 'applicant.lookup': () => lookupResult }));
    await wedge(vi, payload);
    const items = vi.findAll('[data-testid="applicant-warnings"] li').map((li) => li.text());
    expect(items).toEqual([
      'Mã nơi đăng ký khai sinh "999" không có trong danh mục 63 tỉnh cũ (cấu trúc cũ chỉ để tham khảo).',
      'Ngày cấp (20/04/1980) trước ngày sinh (15/07/1991): kiểm tra lại thẻ.',
      'Giới tính trên thẻ (Nam) khác giới tính theo cấu trúc cũ của số định danh (Nữ).',
      'Năm sinh trên thẻ (1991) khác năm sinh theo cấu trúc cũ của số định danh (1990).',
    ]);
    vi.unmount();

    const h = setupHarness({ 'applicant.lookup': () => lookupResult });
    const en = mountWith(ApplicantSection, h, { global: { plugins: [h.pinia, createAppI18n('en'), h.router] } });
    await wedge(en, payload);
    const english = en.findAll('[data-testid="applicant-warnings"] li').map((li) => li.text());
    expect(english[1]).toBe('The issue date (20/04/1980) is before the birth date (15/07/1991): check the card.');
    expect(english[2]).toBe(
      'The sex on the card (Male) differs from the sex in the old structure of the personal ID (Female).',
    );
    expect(english.join(' ')).not.toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/u);
    en.unmount();
  });

  it('a draft kept by an older version (warnings as sentences) shows none of them', async () => {
    const h = setupHarness({ 'applicant.lookup': () => lookupResult });
    const wrapper = mountWith(ApplicantSection, h);
    const intake = useIntakeStore();
    (intake.draft as { qr: unknown }).qr = {
      warnings: ['Ngày cấp trước ngày sinh: kiểm tra lại thẻ.', { code: 'UNKNOWN_THING' }],
      repaired: false,
    };
    await settle();
    expect(wrapper.find('[data-testid="applicant-warnings"]').exists()).toBe(false);
    (intake.draft as { idWarnings: unknown }).idWarnings = [
      'Năm sinh theo cấu trúc cũ (2199) ở tương lai: kiểm tra lại số định danh.',
    ];
    await settle();
    expect(wrapper.find('[data-testid="applicant-warnings"]').exists()).toBe(false);
  });
});

const VIETNAMESE_LETTER = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/u;

describe("a typed identifier in the screen's language", () => {
  function mountIn(lang: 'vi' | 'en') {
    const h = setupHarness({
      'applicant.lookup': () => ({ local: null, national: null, nationalReachable: true, documents: [] }),
    });
    return {
      h,
      wrapper: mountWith(ApplicantSection, h, { global: { plugins: [h.pinia, createAppI18n(lang), h.router] } }),
    };
  }

  it("words a typed ID's warnings from the locale, in Vietnamese and in English", async () => {
    const vi = mountIn('vi');
    await wedge(vi.wrapper, '999499000001');
    expect(vi.wrapper.findAll('[data-testid="applicant-warnings"] li').map((li) => li.text())).toEqual([
      'Mã nơi đăng ký khai sinh "999" không có trong danh mục 63 tỉnh cũ (cấu trúc cũ chỉ để tham khảo).',
      'Năm sinh theo cấu trúc cũ của số định danh (2199) ở tương lai: kiểm tra lại số định danh.',
    ]);
    expect(vi.h.fake.callsOf('applicant.lookup')).toHaveLength(1);
    vi.wrapper.unmount();

    const en = mountIn('en');
    await wedge(en.wrapper, '999499000001');
    expect(en.wrapper.findAll('[data-testid="applicant-warnings"] li').map((li) => li.text())).toEqual([
      'The birth-registration code "999" is not one of the 63 former provinces (the old structure is only a reference).',
      'The birth year in the old structure of the personal ID (2199) is in the future: check the ID.',
    ]);
    en.wrapper.unmount();
  });

  it("words why a typed ID, an organisation code or a QR's ID was refused, in English with no Vietnamese", async () => {
    const { h, wrapper } = mountIn('en');
    const error = () => wrapper.get('[data-testid="applicant-error"]').text();
    await wedge(wrapper, '07909000123');
    expect(error()).toContain('The personal ID must have exactly 12 digits (it has 11).');
    await wedge(wrapper, '07909000123A');
    expect(error()).toContain('The personal ID may contain digits only (invalid character: "A").');
    await wedge(wrapper, '079090 001234||Le Van An|15071990|Nam|Hue|20042021');
    expect(error()).toContain(
      'The first field is not a valid personal ID: The personal ID may contain digits only (it has a space).',
    );
    expect(error()).not.toMatch(VIETNAMESE_LETTER);
    await wrapper.get('[data-testid="applicant-is-organisation"]').setValue(true);
    await wedge(wrapper, '0101234567001');
    expect(error()).toContain(
      'A branch tax code is written as 10 digits, "-" and 3 digits (for example 0101234567-001).',
    );
    await wedge(wrapper, '079090001234');
    expect(error()).toContain('A 12-digit code is a personal ID, not an organisation code.');
    expect(error()).not.toMatch(VIETNAMESE_LETTER);
    expect(h.fake.callsOf('applicant.lookup')).toHaveLength(0);
  });

  it('words the same refusal in Vietnamese', async () => {
    const { wrapper } = mountIn('vi');
    await wedge(wrapper, '0790900012345');
    expect(wrapper.get('[data-testid="applicant-error"]').text()).toContain(
      'Cần đúng 12 chữ số cho số định danh cá nhân (đang có 13).',
    );
    await wrapper.get('[data-testid="applicant-is-organisation"]').setValue(true);
    await wedge(wrapper, '010123456');
    expect(wrapper.get('[data-testid="applicant-error"]').text()).toContain(
      'Mã số thuế / mã doanh nghiệp phải gồm đúng 10 chữ số (đang có 9).',
    );
  });
});
