// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { FakeFailure } from '../testing/fake-api';
import { dossier, PDF_BASE64 } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import { quietIframeLoading } from '../testing/quiet-iframes';
import DossierView from './DossierView.vue';

beforeAll(quietIframeLoading);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const code = '000.00.12.H56-250715-0001';

describe('dossier page', () => {
  it('requests a supplement from a dialog and shows form 2', async () => {
    const h = setupHarness({
      'dossier.get': () => dossier(),
      'dossier.requestSupplement': () => dossier({ status: 5 }),
      'dossier.document': ({ kind }) => ({ fileName: `${kind}.pdf`, base64: PDF_BASE64, sha256: kind }),
    });
    const wrapper = mountWith(DossierView, h, { props: { code } });
    await settle();
    expect(wrapper.get('[data-testid="dossier-status"]').text()).toBe('Được tiếp nhận');
    await wrapper.get('[data-testid="action-supplement"]').trigger('click');
    const dialog = wrapper.get('[data-testid="supplement-dialog"]');
    await dialog.get('[data-testid="supplement-missing-CCCD"]').setValue(true);
    await dialog.get('[data-testid="supplement-reason"]').setValue('Bản sao không rõ');
    await dialog.get('form').trigger('submit');
    await settle();
    expect(h.fake.callsOf('dossier.requestSupplement')[0]!.params).toEqual({
      code,
      missing: ['CCCD'],
      reason: 'Bản sao không rõ',
    });
    expect(h.fake.callsOf('dossier.document').at(-1)!.params).toEqual({ code, kind: 'supplement' });
    expect(wrapper.find('[data-testid="supplement-dialog"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="document-preview"]').element.tagName).toBe('IFRAME');
    expect(wrapper.get('[data-testid="dossier-status"]').text()).toBe('Yêu cầu bổ sung giấy tờ');
    expect(wrapper.find('[data-testid="action-refuse"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="actions-unavailable"]').exists()).toBe(true);
  });

  it('refuses with reasons and closes the dialog with Esc', async () => {
    const h = setupHarness({
      'dossier.get': () => dossier(),
      'dossier.refuse': () => dossier({ status: 3 }),
      'dossier.document': ({ kind }) => ({ fileName: `${kind}.pdf`, base64: PDF_BASE64, sha256: kind }),
    });
    const wrapper = mountWith(DossierView, h, { props: { code } });
    await settle();
    await wrapper.get('[data-testid="action-refuse"]').trigger('click');
    await wrapper.get('[data-testid="refuse-dialog"]').trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[data-testid="refuse-dialog"]').exists()).toBe(false);

    await wrapper.get('[data-testid="action-refuse"]').trigger('click');
    const dialog = wrapper.get('[data-testid="refuse-dialog"]');
    await dialog.get('[data-testid="refuse-reason-outOfScope"]').setValue(true);
    await dialog.get('[data-testid="refuse-other"]').setValue('Thiếu chữ ký\n');
    await dialog.get('form').trigger('submit');
    await settle();
    expect(h.fake.callsOf('dossier.refuse')[0]!.params).toEqual({
      code,
      reasons: ['Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan', 'Thiếu chữ ký'],
    });
    expect(h.fake.callsOf('dossier.document').at(-1)!.params).toEqual({ code, kind: 'refusal' });
  });

  it('shows the message of NOT_FOUND', async () => {
    const h = setupHarness({});
    h.fake.handlers['dossier.get'] = () => {
      throw new FakeFailure('NOT_FOUND');
    };
    const wrapper = mountWith(DossierView, h, { props: { code: 'X' } });
    await settle();
    expect(wrapper.get('[data-testid="dossier-error"]').text()).toContain('Không tìm thấy dữ liệu yêu cầu.');
  });
});
