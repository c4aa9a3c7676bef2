// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ResultOf } from '../../../common/contract';
import { setApiForTests } from '../api';
import { mountWith, settle, setupHarness } from '../testing/mount';
import type { AudioOut } from '../voice/announcer';
import type { Clip } from '../voice/pcm';
import DisplayView from './DisplayView.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

class FakeOut implements AudioOut {
  played: Clip[] = [];
  suspended = false;
  unlocked = 0;
  async play(clip: Clip): Promise<void> {
    this.played.push(clip);
  }
  async unlock(): Promise<void> {
    this.unlocked += 1;
    this.suspended = false;
  }
}

function board(current: string | null): ResultOf<'queue.board'> {
  return {
    day: '2026-12-04',
    counters: [
      {
        id: 'Q01',
        name: 'Quầy 1',
        current: current ? { number: current, service: 'CT', calledAt: '2026-12-04T08:10' } : null,
      },
      { id: 'Q02', name: 'Quầy 2', current: null },
    ],
    waiting: [{ service: 'CT', name: 'Chứng thực', count: 3, next: ['B004', 'B005', 'B006'] }],
  };
}

describe('counter display', () => {
  it('shows the number per counter, highlights and announces a call, and lists it as recent', async () => {
    let current: string | null = null;
    const h = setupHarness({ 'queue.board': () => board(current) });
    const out = new FakeOut();
    const wrapper = mountWith(DisplayView, h, { props: { audio: out } });
    await settle();
    expect(wrapper.get('[data-testid="display-counter-Q01"]').text()).toContain('—');
    expect(wrapper.get('[data-testid="display-waiting-CT"]').text()).toContain(
      'Chứng thực: 3 — tiếp theo: B004, B005, B006',
    );

    current = 'A012';
    h.fake.emit('queue.called', {
      ticketId: 12,
      number: 'A012',
      service: 'CT',
      counter: 'Q01',
      counterName: 'Quầy 1',
      recall: false,
    });
    await settle(20);
    expect(wrapper.get('[data-testid="display-counter-Q01"]').text()).toContain('A012');
    expect(wrapper.get('[data-testid="display-counter-Q01"]').classes()).toContain('called');
    expect(wrapper.get('[data-testid="display-recent"]').text()).toContain('Số A012 → Quầy 1');
    // The pieces are loaded and decoded on the first call.
    await vi.waitFor(() => expect(out.played).toHaveLength(1), { timeout: 5000 });
    // Chime plus "Mời số a mười hai đến quầy số một": well over two seconds of 16 kHz audio.
    expect(out.played[0].samples.length / out.played[0].sampleRate).toBeGreaterThan(2);

    // M mutes: the board still follows, the voice stays silent.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'm' }));
    await settle();
    expect(wrapper.get('[data-testid="display-muted"]').exists()).toBe(true);
    h.fake.emit('queue.called', {
      ticketId: 12,
      number: 'A012',
      service: 'CT',
      counter: 'Q01',
      counterName: 'Quầy 1',
      recall: true,
    });
    await settle(20);
    expect(out.played).toHaveLength(1);
    wrapper.unmount();
  });

  it('asks for one click when the browser keeps the sound off, and shows a number it cannot speak without hiding it', async () => {
    const h = setupHarness({ 'queue.board': () => board('Ô9') });
    const out = new FakeOut();
    out.suspended = true;
    const wrapper = mountWith(DisplayView, h, { props: { audio: out } });
    await settle();
    await wrapper.get('[data-testid="display-enable-sound"]').trigger('click');
    await settle();
    expect(out.unlocked).toBe(1);
    expect(wrapper.find('[data-testid="display-enable-sound"]').exists()).toBe(false);

    h.fake.emit('queue.called', {
      ticketId: 9,
      number: 'Ô9',
      service: 'CT',
      counter: 'Q01',
      counterName: 'Quầy 1',
      recall: false,
    });
    await settle(20);
    expect(wrapper.get('[data-testid="display-counter-Q01"]').text()).toContain('Ô9');
    await vi.waitFor(
      () => expect(wrapper.get('[data-testid="display-voice-error"]').text()).toContain('Không phát được lời mời'),
      { timeout: 5000 },
    );
    expect(out.played).toHaveLength(0);
    wrapper.unmount();
  });
});
