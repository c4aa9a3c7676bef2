// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultOf } from '../../../common/contract';
import { setApiForTests } from '../api';
import { FakeFailure } from '../testing/fake-api';
import { mountWith, settle, setupHarness } from '../testing/mount';
import SyncView from './SyncView.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

type Dead = ResultOf<'sync.deadLetters'>[number];

const status: ResultOf<'sync.status'> = {
  counts: { pending: 2, retrying: 1, sent: 40, dead: 2 },
  remotes: [
    {
      target: 'national',
      owed: 3,
      dead: 2,
      oldestOwedAt: '2026-12-04T08:10',
      nextAttemptAt: '2026-12-04T09:00',
      breaker: 'open',
      breakerRetryAt: '2026-12-04T09:05',
      breakerError: 'HTTP 503',
    },
    {
      target: 'provincial',
      owed: 0,
      dead: 0,
      oldestOwedAt: null,
      nextAttemptAt: null,
      breaker: 'closed',
      breakerRetryAt: null,
      breakerError: null,
    },
  ],
  statusFeed: { feedId: null, cursor: null, updatedAt: null },
  lastError: null,
};

function dead(id: number, code: string): Dead {
  return {
    id,
    target: 'national',
    kind: 'dossier.progress',
    dossierCode: code,
    attempts: 12,
    reason: 'exhausted',
    errorCode: 'REMOTE_UNAVAILABLE',
    error: 'HTTP 503',
    message: 'Đã thử 12 lần không gửi được.',
    createdAt: '2026-12-04T08:00',
    deadAt: '2026-12-04T08:50',
  };
}

describe('sync screen', () => {
  it('shows counts, each remote with its breaker, the dead letters; retries the selected ones', async () => {
    let rows = [dead(11, '000.00.12.H56-261204-0001'), dead(12, '000.00.12.H56-261204-0002')];
    const h = setupHarness({
      'sync.status': () => status,
      'sync.deadLetters': () => rows,
      'sync.retryDead': (p) => {
        const ids = p.ids ?? rows.map((r) => r.id);
        rows = rows.filter((r) => !ids.includes(r.id));
        return { revived: ids };
      },
    });
    const wrapper = mountWith(SyncView, h);
    await settle();
    expect(wrapper.get('[data-testid="sync-counts"]').text()).toBe(
      'Chờ gửi: 2 · Đang thử lại: 1 · Đã gửi: 40 · Không gửi được: 2',
    );
    expect(wrapper.get('[data-testid="sync-remote-national"]').text()).toContain('Tạm ngừng gửi');
    expect(wrapper.get('[data-testid="sync-remote-national"]').text()).toContain('đến 04/12/2026 09:05');
    expect(wrapper.get('[data-testid="sync-remote-provincial"]').text()).toContain('Bình thường');
    const why = wrapper.get('[data-testid="sync-dead-why-11"]').text();
    expect(why).toContain('Đã thử gửi tới Cổng DVCQG 12 lần nhưng không thành công (không kết nối được)');
    expect(why).toContain('Mã lỗi: REMOTE_UNAVAILABLE');
    // The core's own sentence and the technical error are not what the screen shows.
    expect(why).not.toContain('Đã thử 12 lần không gửi được.');
    expect(why).not.toContain('HTTP 503');
    expect(wrapper.get('[data-testid="sync-dead-11"]').text()).toContain('Cập nhật tiến độ');
    expect(wrapper.get('[data-testid="sync-retry-selected"]').attributes('disabled')).toBeDefined();

    await wrapper.get('[data-testid="sync-dead-12"] input[type=checkbox]').setValue(true);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'r', altKey: true, cancelable: true }));
    await settle();
    expect(h.fake.callsOf('sync.retryDead').map((c) => c.params)).toEqual([{ ids: [12] }]);
    expect(wrapper.get('[data-testid="sync-notice"]').text()).toBe('Đã xếp 1 mục để gửi lại.');
    expect(wrapper.find('[data-testid="sync-dead-12"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="sync-dead-11"]').exists()).toBe(true);

    await wrapper.get('[data-testid="sync-retry-all"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('sync.retryDead').at(-1)?.params).toEqual({ all: true });
    expect(wrapper.get('[data-testid="sync-no-dead"]').text()).toContain('Không có mục nào');
    wrapper.unmount();
  });

  it('exports the dead letters as a file and shows a refused call in Vietnamese', async () => {
    const h = setupHarness({
      'sync.status': () => status,
      'sync.deadLetters': () => [dead(11, '000.00.12.H56-261204-0001')],
      'sync.exportDead': () => ({ fileName: 'motcua-dead-letters-20261204.json', content: '[]', count: 1 }),
      'sync.retryDead': () => {
        throw new FakeFailure('FORBIDDEN');
      },
    });
    const created: string[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob) => {
      created.push(blob.type);
      return 'blob:test';
    };
    try {
      const wrapper = mountWith(SyncView, h);
      await settle();
      await wrapper.get('[data-testid="sync-export"]').trigger('click');
      await settle();
      expect(created).toEqual(['application/json']);
      expect(wrapper.get('[data-testid="sync-notice"]').text()).toBe(
        'Đã xuất 1 mục vào tệp motcua-dead-letters-20261204.json.',
      );
      await wrapper.get('[data-testid="sync-retry-all"]').trigger('click');
      await settle();
      expect(wrapper.get('[role="alert"]').text()).toContain('FORBIDDEN');
      wrapper.unmount();
    } finally {
      URL.createObjectURL = original;
    }
  });

  it('words what the core recorded as text by its code, never the English beside it', async () => {
    const english = 'connect ECONNREFUSED 127.0.0.1:8443';
    const rows: Dead[] = [
      {
        ...dead(21, '000.00.12.H56-261204-0003'),
        reason: 'rejected',
        errorCode: 'REMOTE_REJECTED',
        error: 'REMOTE_REJECTED: DongBoHoSoMC rejected: [error_code 12] Trường NgayTiepNhan sai định dạng',
      },
      {
        ...dead(22, '000.00.12.H56-261204-0004'),
        reason: 'invalid',
        errorCode: 'PAYLOAD_INVALID',
        error: 'payload: MaHoSo: Too small: expected string to have >=1 characters',
      },
      { ...dead(23, '000.00.12.H56-261204-0005'), errorCode: 'SOMETHING_NEW', error: english },
    ];
    const h = setupHarness({
      'sync.status': () => ({
        ...status,
        remotes: [
          { ...status.remotes[0]!, breakerError: `REMOTE_UNAVAILABLE: ${english}` },
          { ...status.remotes[1]!, breaker: 'open', breakerError: 'socket hang up' },
        ],
        lastError: `gave up after 12 attempts: REMOTE_TIMEOUT: timeout of 10000ms exceeded`,
      }),
      'sync.deadLetters': () => rows,
    });
    const wrapper = mountWith(SyncView, h);
    await settle();
    const all = wrapper.text();
    for (const raw of [
      english,
      'socket hang up',
      'timeout of 10000ms',
      'gave up after',
      'Too small',
      'DongBoHoSoMC',
      'rejected:',
    ])
      expect(all).not.toContain(raw);
    expect(wrapper.get('[data-testid="sync-breaker-error-national"]').text()).toBe(
      'Không kết nối được hệ thống bên ngoài hoặc lõi ứng dụng.',
    );
    expect(wrapper.get('[data-testid="sync-breaker-error-provincial"]').text()).toBe(
      'Lỗi không xác định. Xuất tệp cho CNTT để xem chi tiết.',
    );
    expect(wrapper.get('[data-testid="sync-last-error"]').text()).toBe(
      'Lỗi gần nhất: Hệ thống bên ngoài không phản hồi kịp thời. Vui lòng thử lại.',
    );
    const rejected = wrapper.get('[data-testid="sync-dead-why-21"]').text();
    expect(rejected).toContain('Cổng DVCQG từ chối dữ liệu của hồ sơ.');
    expect(rejected).toContain('Hệ thống trả lời: “[error_code 12] Trường NgayTiepNhan sai định dạng”');
    expect(wrapper.get('[data-testid="sync-dead-why-22"]').text()).toContain(
      'Dữ liệu gửi tới Cổng DVCQG không đúng định dạng (lỗi phần mềm).',
    );
    expect(wrapper.get('[data-testid="sync-dead-why-23"]').text()).toContain(
      '12 lần nhưng không thành công (lỗi kết nối)',
    );
    wrapper.unmount();
  });
});
