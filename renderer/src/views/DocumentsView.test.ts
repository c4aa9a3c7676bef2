// @vitest-environment happy-dom
import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { documentHit } from '../testing/digitise-fixtures';
import { FakeFailure } from '../testing/fake-api';
import { mountWith, settle, setupHarness } from '../testing/mount';
import { quietIframeLoading } from '../testing/quiet-iframes';
import DocumentsView from './DocumentsView.vue';

enableAutoUnmount(afterEach);
beforeAll(quietIframeLoading);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('document search', () => {
  it('sends the query as typed (the core folds diacritics) and lists the hits', async () => {
    const h = setupHarness({ 'documents.search': () => [documentHit] });
    const wrapper = mountWith(DocumentsView, h);
    const input = wrapper.get('[data-testid="documents-search"]');
    expect(document.activeElement).toBe(input.element);
    await input.setValue('ben nghe');
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.fake.callsOf('documents.search').map((c) => c.params)).toEqual([{ query: 'ben nghe', limit: 50 }]);
    const row = wrapper.get('[data-testid="document-hit-L:7"]');
    expect(row.text()).toContain('Căn cước công dân');
    expect(row.text()).toContain('Nguyễn Văn Dũng');
    expect(row.text()).toContain('Chuyển đổi từ giấy');
    expect(row.text()).toContain('17/05/2036');
    expect(wrapper.get('[data-testid="document-snippet-L:7"]').text()).toContain('Bến Nghé');
    expect(wrapper.get('[data-testid="documents-count"]').text()).toBe('1 tài liệu');

    // Typing searches by itself after a pause; only the last text is sent.
    await input.setValue('kq');
    await input.setValue('kq0003');
    await wait(300);
    await settle();
    expect(h.fake.callsOf('documents.search').map((c) => c.params)).toEqual([
      { query: 'ben nghe', limit: 50 },
      { query: 'kq0003', limit: 50 },
    ]);
  });

  it('says when nothing matches and shows a refusal in Vietnamese', async () => {
    let fail = false;
    const h = setupHarness({
      'documents.search': () => {
        if (fail) throw new FakeFailure('FORBIDDEN');
        return [];
      },
    });
    const wrapper = mountWith(DocumentsView, h);
    const input = wrapper.get('[data-testid="documents-search"]');
    await input.setValue('khong co');
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(wrapper.get('[data-testid="documents-none"]').text()).toBe('Không tìm thấy tài liệu phù hợp.');
    fail = true;
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(wrapper.get('[data-testid="documents-error"]').text()).toContain('không có quyền');
  });

  it('opens the PDF of a document digitised here without leaving the results; a failure is shown', async () => {
    let missing = false;
    const h = setupHarness({
      'documents.search': () => [documentHit],
      'documents.pdf': () => {
        if (missing) throw new FakeFailure('NOT_FOUND');
        return { fileName: 'KQ0003-L7.pdf', base64: btoa('%PDF-1.7 test'), sha256: 'ab'.repeat(32) };
      },
    });
    const wrapper = mountWith(DocumentsView, h);
    const input = wrapper.get('[data-testid="documents-search"]');
    await input.setValue('ben nghe');
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    await wrapper.get('[data-testid="document-pdf-L:7"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('documents.pdf').map((c) => c.params)).toEqual([{ id: 'L:7' }]);
    expect(wrapper.get('[data-testid="document-pdf-name"]').text()).toBe('KQ0003-L7.pdf');
    expect(wrapper.find('[data-testid="document-hit-L:7"]').exists()).toBe(true);
    await wrapper.get('[data-testid="document-pdf-close"]').trigger('click');
    expect(wrapper.find('[data-testid="document-pdf"]').exists()).toBe(false);
    missing = true;
    await wrapper.get('[data-testid="document-pdf-L:7"]').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="document-pdf-error"]').exists()).toBe(true);
  });
});
