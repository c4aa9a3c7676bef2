// @vitest-environment happy-dom
import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchDrafts } from '../../../../common/contract';
import { setApiForTests } from '../../api';
import { createAppI18n } from '../../locales';
import { useDigitiseBatchStore } from '../../stores/digitise-batch';
import { RETRY_MS } from '../../stores/draft-saver';
import { batchPage, batchView } from '../../testing/digitise-fixtures';
import { FakeFailure } from '../../testing/fake-api';
import { mountWith, settle, setupHarness } from '../../testing/mount';
import MetadataForm from './MetadataForm.vue';

enableAutoUnmount(afterEach);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

/** Waits (real time) until `check` holds; the draft saver's pause and retry are real timers. */
async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('metadata form: the draft save state', () => {
  it('shows saving, saved and "will try again" from the locale as the drafts are saved with the batch', async () => {
    const answers: (() => { savedAt: string })[] = [];
    const sent: BatchDrafts[] = [];
    let release: (() => void) | null = null;
    const h = setupHarness({
      'digitise.batch': () => batchView([batchPage(0), batchPage(1)]),
      'digitise.drafts': () => ({ drafts: {} }),
      'digitise.saveDrafts': async (p) => {
        sent.push(p.drafts);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        const answer = answers.shift();
        if (!answer) throw new Error('unexpected save');
        return answer();
      },
    });
    const store = useDigitiseBatchStore();
    await store.open('b-1');
    const wrapper = mountWith(MetadataForm, h);
    await settle();
    const state = () => wrapper.find('[data-testid="metadata-draft-state"]');
    // Opened with nothing new to keep: the set equals what the core holds, so nothing is sent.
    await until(() => state().exists() && state().text() === 'Đã lưu nháp', 3000);
    expect(sent).toHaveLength(0);

    await wrapper.get('[data-testid="meta-ownerName"]').setValue('Nguyễn Văn Dũng');
    expect(state().text()).toBe('Đang lưu…');
    expect(state().attributes('role')).toBe('status');
    answers.push(() => ({ savedAt: '2026-12-07T09:00' }));
    await until(() => release !== null, 3000);
    expect(state().text()).toBe('Đang lưu…');
    release!();
    release = null;
    await until(() => state().text() === 'Đã lưu nháp', 1000);
    expect(sent[0]).toMatchObject({ 0: { ownerName: 'Nguyễn Văn Dũng' } });

    // A refusal that is not the link: failed, and the next change sends everything again.
    answers.push(() => {
      throw new FakeFailure('STORE_FAILURE', 'SQLITE_FULL: database or disk is full');
    });
    await wrapper.get('[data-testid="meta-ownerIdNumber"]').setValue('001203004567');
    await until(() => release !== null, 3000);
    release!();
    release = null;
    await until(() => state().text() === 'Chưa lưu được — sẽ thử lại', 1000);
    expect(state().attributes('data-state')).toBe('failed');
    expect(state().attributes('title')).toContain('Không ghi được dữ liệu vào kho lưu trữ');
    expect(wrapper.text()).not.toContain('SQLITE_FULL');

    // The link drops: failed, then tried again by itself, and saved.
    answers.push(() => {
      throw new FakeFailure('REMOTE_UNAVAILABLE', 'socket closed');
    });
    answers.push(() => ({ savedAt: '2026-12-07T09:01' }));
    await wrapper.get('[data-testid="meta-number"]').setValue('123/QĐ');
    await until(() => release !== null, 3000);
    release!();
    release = null;
    await until(() => state().text() === 'Chưa lưu được — sẽ thử lại', 1000);
    await until(() => release !== null, RETRY_MS + 2000);
    release!();
    await until(() => state().text() === 'Đã lưu nháp', 1000);
    expect(sent).toHaveLength(4);
    expect(sent[3]).toMatchObject({
      0: { ownerName: 'Nguyễn Văn Dũng', ownerIdNumber: '001203004567', number: '123/QĐ' },
    });
  }, 15_000);

  it('has the three states in English too', () => {
    const en = createAppI18n('en').global;
    expect([
      en.t('digitise.meta.draftSaving'),
      en.t('digitise.meta.draftSaved'),
      en.t('digitise.meta.draftFailed'),
    ]).toEqual(['Saving…', 'Draft saved', 'Not saved yet — will try again']);
  });
});
