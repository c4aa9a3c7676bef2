// @vitest-environment happy-dom
import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignatureCheck, VerifyResult } from '../../../common/contract';
import { setApiForTests } from '../api';
import { documentHit } from '../testing/digitise-fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import VerifyView from './VerifyView.vue';

enableAutoUnmount(afterEach);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

function signature(over: Partial<SignatureCheck> = {}): SignatureCheck {
  return {
    fieldName: 'Signature1',
    verdict: 'valid-trusted',
    integrity: { ok: true, problem: null },
    changesAfterSigning: 'none',
    signer: {
      commonName: 'Nguyễn Văn An',
      subject: 'C=VN, O=UBND xã Hòa Phú, CN=Nguyễn Văn An',
      issuer: 'C=VN, O=Ban Cơ yếu Chính phủ, CN=CA thử nghiệm',
      serialNumber: '1001',
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
    },
    signingTime: '2025-07-15T03:30:05.000Z',
    signingTimeSource: 'timestamp',
    certificateValidAtSigningTime: true,
    keyUsage: { ok: true, digitalSignature: true, nonRepudiation: true, present: true },
    chain: { trusted: true, path: ['CN=Nguyễn Văn An', 'CN=CA thử nghiệm'], problem: null },
    timestamp: { valid: true, genTime: '2025-07-15T03:30:05.000Z', tsa: 'CN=TSA thử nghiệm', problem: null },
    reason: 'Xác thực bản số hóa từ bản giấy',
    location: 'UBND xã Hòa Phú',
    ...over,
  };
}

const report = (signatures: SignatureCheck[], over: Partial<VerifyResult> = {}): VerifyResult => ({
  fileName: 'Căn cước công dân (L:7).pdf',
  documentId: 'L:7',
  sizeBytes: 20480,
  signatures,
  problem: null,
  trustAnchors: 1,
  ...over,
});

describe('verify panel', () => {
  it('finds a stored document from the keyboard and shows each signature with a plain verdict', async () => {
    const h = setupHarness({
      'documents.search': () => [documentHit],
      'signing.verify': () =>
        report([
          signature(),
          signature({
            verdict: 'valid-untrusted',
            changesAfterSigning: 'other-changes',
            signingTimeSource: 'signature-dictionary',
            timestamp: null,
            chain: { trusted: false, path: ['CN=Trần Thị Mai'], problem: 'CHAIN_INCOMPLETE' },
          }),
          signature({
            verdict: 'invalid',
            integrity: { ok: false, problem: 'DIGEST_MISMATCH' },
            keyUsage: { ok: false, digitalSignature: false, nonRepudiation: false, present: true },
            certificateValidAtSigningTime: false,
          }),
        ]),
    });
    const wrapper = mountWith(VerifyView, h);
    const input = wrapper.get('[data-testid="verify-search"]');
    expect(document.activeElement).toBe(input.element);
    await input.setValue('001203004567');
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.fake.callsOf('documents.search').map((c) => c.params)).toEqual([{ query: '001203004567', limit: 30 }]);
    await input.trigger('keydown', { key: 'ArrowDown' });
    await settle();
    const row = wrapper.get('[data-testid="verify-hit-L:7"]');
    expect(document.activeElement).toBe(row.element);
    await row.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.fake.callsOf('signing.verify').map((c) => c.params)).toEqual([{ documentId: 'L:7' }]);
    expect(document.activeElement).toBe(wrapper.get('[data-testid="verify-result"]').element);

    expect(wrapper.get('[data-testid="signature-1-verdict"]').text()).toBe('Hợp lệ và tin cậy');
    expect(wrapper.get('[data-testid="signature-1-integrity"]').text()).toBe('Đạt');
    expect(wrapper.get('[data-testid="signature-1-changes"]').text()).toContain('Không (chữ ký bao trùm toàn bộ tệp)');
    expect(wrapper.get('[data-testid="signature-1-signer"]').text()).toContain('Nguyễn Văn An');
    expect(wrapper.get('[data-testid="signature-1-signer"]').text()).toContain('Cấp bởi: C=VN, O=Ban Cơ yếu Chính phủ');
    expect(wrapper.get('[data-testid="signature-1-signer"]').text()).toContain(
      '01/01/2025 07:00:00 (GMT+7) – 01/01/2027 07:00:00 (GMT+7)',
    );
    expect(wrapper.get('[data-testid="signature-1-time"]').text()).toBe(
      '15/07/2025 10:30:05 (GMT+7) (theo dấu thời gian)',
    );
    expect(wrapper.get('[data-testid="signature-1-valid-at"]').text()).toBe('Đạt');
    expect(wrapper.get('[data-testid="signature-1-key-usage"]').text()).toContain('ký số, chống chối bỏ');
    expect(wrapper.get('[data-testid="signature-1-chain"]').text()).toContain('Tới CA tin cậy');
    expect(wrapper.get('[data-testid="signature-1-timestamp"]').text()).toContain('Đạt');

    expect(wrapper.get('[data-testid="signature-2-verdict"]').text()).toBe('Hợp lệ nhưng chưa tin cậy');
    expect(wrapper.get('[data-testid="signature-2-changes"]').text()).toContain('Có thay đổi khác sau khi ký');
    expect(wrapper.get('[data-testid="signature-2-chain"]').text()).toContain(
      'Chưa tới CA tin cậy — chuỗi chứng thực không tới CA tin cậy',
    );
    expect(wrapper.get('[data-testid="signature-2-time"]').text()).toContain('do người ký khai');
    expect(wrapper.find('[data-testid="signature-2-timestamp"]').exists()).toBe(false);

    expect(wrapper.get('[data-testid="signature-3-verdict"]').text()).toBe('Không hợp lệ');
    expect(wrapper.get('[data-testid="signature-3-integrity"]').text()).toBe(
      'Không đạt — nội dung tệp đã bị thay đổi sau khi ký (mã băm không khớp)',
    );
    expect(wrapper.get('[data-testid="signature-3-valid-at"]').text()).toBe('Không đạt');
    expect(wrapper.get('[data-testid="signature-3-key-usage"]').text()).toContain('Không đạt');
  });

  it('checks an uploaded PDF (Alt+O opens the picker) and says when there is no signature or the file is unreadable', async () => {
    let answer: VerifyResult = report([], { fileName: 'don.pdf', documentId: null });
    const h = setupHarness({ 'signing.verify': () => answer });
    const wrapper = mountWith(VerifyView, h);
    const file = wrapper.get('[data-testid="verify-file"]');
    let clicked = 0;
    file.element.addEventListener('click', () => {
      clicked++;
    });
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'o', code: 'KeyO', altKey: true, bubbles: true }));
    expect(clicked).toBe(1);

    const pdf = new File([new TextEncoder().encode('%PDF-1.7\n%%EOF\n')], 'don.pdf', { type: 'application/pdf' });
    Object.defineProperty(file.element, 'files', { value: [pdf], configurable: true });
    await file.trigger('change');
    await settle(20);
    const call = h.fake.callsOf('signing.verify')[0]!.params as { file: { name: string; base64: string } };
    expect(call.file.name).toBe('don.pdf');
    expect(atob(call.file.base64)).toBe('%PDF-1.7\n%%EOF\n');
    expect(wrapper.get('[data-testid="verify-unsigned"]').text()).toBe('Tệp không có chữ ký số.');

    answer = report([], { fileName: 'hong.pdf', documentId: null, problem: 'PDF_UNREADABLE' });
    Object.defineProperty(file.element, 'files', { value: [new File(['junk'], 'hong.pdf')], configurable: true });
    await file.trigger('change');
    await settle(20);
    expect(wrapper.get('[data-testid="verify-problem"]').text()).toBe(
      'Tệp không đọc được: tệp không phải PDF hoặc bị hỏng',
    );

    Object.defineProperty(file.element, 'files', { value: [new File([], 'rong.pdf')], configurable: true });
    await file.trigger('change');
    await settle(20);
    expect(wrapper.get('[data-testid="verify-error"]').text()).toContain('Dữ liệu nhập chưa hợp lệ');
    expect(h.fake.callsOf('signing.verify')).toHaveLength(2);
  });
});
