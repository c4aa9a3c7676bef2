// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pressKey, typeText } from '../testing/keys';
import { DEFAULT_WEDGE_OPTIONS, WedgeDetector, type WedgeOptions } from './use-barcode-wedge';

let scans: string[];
let options: WedgeOptions;
let field: HTMLInputElement;
const listener = (event: KeyboardEvent) => detector.handle(event);
let detector: WedgeDetector;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout', 'Date'] });
  scans = [];
  options = { ...DEFAULT_WEDGE_OPTIONS };
  detector = new WedgeDetector(
    () => options,
    (text, info) => {
      scans.push(text);
      if (text.startsWith('LEAVE')) return false;
      expect(info.inTextField).toBe(document.activeElement === field);
    },
  );
  window.addEventListener('keydown', listener, { capture: true });
  field = document.createElement('input');
  document.body.append(field);
  field.focus();
});

afterEach(() => {
  window.removeEventListener('keydown', listener, { capture: true });
  document.body.innerHTML = '';
  vi.useRealTimers();
});

describe('keyboard-wedge detection', () => {
  it('uses the faked clock', () => {
    const t0 = performance.now();
    vi.advanceTimersByTime(25);
    expect(performance.now() - t0).toBe(25);
  });

  it('a fast burst ended by Enter is a scan: Enter swallowed, the field given back its text', () => {
    field.value = 'ghi chú';
    const seen: string[] = [];
    field.addEventListener('input', () => seen.push(field.value));
    const enter = typeText(field, '000.00.12.H56-261204-0042', 4)!;
    expect(scans).toEqual(['000.00.12.H56-261204-0042']);
    expect(enter.defaultPrevented).toBe(true);
    expect(field.value).toBe('ghi chú');
    expect(seen.at(-1)).toBe('ghi chú'); // v-model hears the restore
  });

  it('letters inserted as text without a key event (Unicode mode) belong to the running burst', () => {
    const onInput = (event: Event) => detector.handleInput(event);
    window.addEventListener('input', onInput, { capture: true });
    try {
      const insert = (text: string) => {
        vi.advanceTimersByTime(5);
        field.value += text;
        field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
      };
      for (const part of ['001203004567|', 'Nguy', 'ễ', 'n V', 'ă', 'n D', 'ũ', 'ng']) {
        if (/^[\x20-\x7e]+$/.test(part)) typeText(field, part, 5, null);
        else insert(part);
      }
      vi.advanceTimersByTime(5);
      const enter = pressKey(field, 'Enter');
      expect(scans).toEqual(['001203004567|Nguyễn Văn Dũng']);
      expect(enter.defaultPrevented).toBe(true);
      expect(field.value).toBe('');

      // Outside a burst, inserted text (a person's input method) is left alone.
      insert('ắ');
      vi.advanceTimersByTime(500);
      typeText(field, 'abc', 200);
      expect(scans).toHaveLength(1);
    } finally {
      window.removeEventListener('input', onInput, { capture: true });
    }
  });

  it('capital letters with Shift in between and a Tab suffix', () => {
    const tab = typeText(field, 'ABC-123-XYZ', 6, 'Tab')!;
    expect(scans).toEqual(['ABC-123-XYZ']);
    expect(tab.defaultPrevented).toBe(true);
    expect(field.value).toBe('');
  });

  it('human typing is not captured, even a quick typist', () => {
    const enter = typeText(field, '001090012345', 110)!;
    expect(scans).toEqual([]);
    expect(enter.defaultPrevented).toBe(false);
    expect(field.value).toBe('001090012345');
    // bursts of fast bigrams between slower keys
    field.value = '';
    for (const [i, ch] of [...'nguyen van an'].entries()) {
      vi.advanceTimersByTime(i % 2 === 0 ? 90 : 25);
      pressKey(field, ch);
    }
    vi.advanceTimersByTime(20);
    expect(pressKey(field, 'Enter').defaultPrevented).toBe(false);
    expect(scans).toEqual([]);
  });

  it('an ID card QR whose keys come 50 ms apart (letters inserted as text 180 ms apart) is still one scan', () => {
    const onInput = (event: Event) => detector.handleInput(event);
    window.addEventListener('input', onInput, { capture: true });
    try {
      const qr = '001203004567|123456789|Lê Văn Hùng|12052003|Nam|Hà Nội|10082021';
      for (const ch of qr) {
        vi.advanceTimersByTime(/[\x20-\x7e]/.test(ch) ? 50 : 180);
        if (/[\x20-\x7e]/.test(ch)) {
          pressKey(field, ch);
        } else {
          // a letter the reader inserts as text, without a key event
          field.value += ch;
          field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: ch }));
        }
      }
      vi.advanceTimersByTime(50);
      const enter = pressKey(field, 'Enter');
      expect(scans).toEqual([qr]);
      expect(enter.defaultPrevented).toBe(true);
      expect(field.value).toBe('');
    } finally {
      window.removeEventListener('input', onInput, { capture: true });
    }
  });

  it('an ID card QR at 50 ms with focus in another field: the scan is taken back out of it', () => {
    field.value = 'ho tich';
    typeText(field, '001203004567||Le Van Hung|12052003|Nam|Ha Noi|10082021', 50);
    expect(scans).toEqual(['001203004567||Le Van Hung|12052003|Nam|Ha Noi|10082021']);
    expect(field.value).toBe('ho tich');
  });

  it('the slower pace is for the card QR only: other codes, digits without `|`, and gaps past the tolerance are left alone', () => {
    // a dossier code at 50 ms is not a scan
    expect(typeText(field, '000.00.12.H56-261204-0042', 50)!.defaultPrevented).toBe(false);
    // a quick typist: 12 digits 60-100 ms apart, then Enter: the field's own Enter applies
    field.value = '';
    for (const [i, ch] of [...'001203004567'].entries()) {
      vi.advanceTimersByTime(i % 2 === 0 ? 60 : 100);
      pressKey(field, ch);
    }
    vi.advanceTimersByTime(80);
    expect(pressKey(field, 'Enter').defaultPrevented).toBe(false);
    expect(field.value).toBe('001203004567');
    // 12 digits at 200 ms and Enter: the field's own too
    field.value = '';
    expect(typeText(field, '001203004567', 200)!.defaultPrevented).toBe(false);
    expect(field.value).toBe('001203004567');
    // human pace (300 ms) with the card's shape: not a scan either
    field.value = '';
    expect(typeText(field, '001203004567|Le|x', 300)!.defaultPrevented).toBe(false);
    // a gap of 300 ms (past QR_MAX_GAP_MS) inside a QR breaks the burst: what follows has no card shape
    field.value = '';
    typeText(field, '001203004567|Le Van', 10, null);
    vi.advanceTimersByTime(300);
    expect(typeText(field, ' Hung|12052003|Nam|Ha Noi|10082021', 10)!.defaultPrevented).toBe(true);
    expect(scans).toEqual([' Hung|12052003|Nam|Ha Noi|10082021']);
  });

  it('a burst shorter than minLength is left alone', () => {
    const enter = typeText(field, 'B07', 3)!;
    expect(scans).toEqual([]);
    expect(enter.defaultPrevented).toBe(false);
    expect(field.value).toBe('B07');
  });

  it('one slow gap breaks the burst: only what follows counts', () => {
    typeText(field, 'abcdef', 4, null);
    vi.advanceTimersByTime(200);
    typeText(field, 'XYZ', 4);
    expect(scans).toEqual([]);
    typeText(field, 'after-gap-code', 4);
    expect(scans).toEqual(['after-gap-code']);
  });

  it('a burst not ended in time is not a scan (Enter pressed later by a person)', () => {
    typeText(field, 'pasted-looking-text', 3, null);
    vi.advanceTimersByTime(400);
    expect(pressKey(field, 'Enter').defaultPrevented).toBe(false);
    expect(scans).toEqual([]);
  });

  it('thresholds are configurable', () => {
    typeText(field, 'SLOWREADER', 60);
    expect(scans).toEqual([]);
    options = { ...options, maxGapMs: 80, minLength: 4 };
    typeText(field, 'SLOWREADER', 60);
    typeText(field, 'B007', 5);
    expect(scans).toEqual(['SLOWREADER', 'B007']);
  });

  it('switched off: nothing is captured', () => {
    options = { ...options, enabled: false };
    expect(typeText(field, '000.00.12.H56-261204-0042', 4)!.defaultPrevented).toBe(false);
    expect(scans).toEqual([]);
  });

  it('shortcuts and editing keys break a burst', () => {
    typeText(field, 'abcd', 3, null);
    vi.advanceTimersByTime(3);
    pressKey(field, 'p', { ctrlKey: true });
    typeText(field, 'efg', 3);
    expect(scans).toEqual([]);
    typeText(field, 'abcd', 3, null);
    vi.advanceTimersByTime(3);
    pressKey(field, 'Backspace');
    typeText(field, 'efg', 3);
    expect(scans).toEqual([]);
  });

  it('a scan with no text field focused is still read', () => {
    field.blur();
    typeText(document.body, 'NO-FIELD-CODE', 4);
    expect(scans).toEqual(['NO-FIELD-CODE']);
  });

  it('a scan the handler declines is left to the field as typed', () => {
    const enter = typeText(field, 'LEAVE-ME-HERE', 4)!;
    expect(scans).toEqual(['LEAVE-ME-HERE']);
    expect(enter.defaultPrevented).toBe(false);
    expect(field.value).toBe('LEAVE-ME-HERE');
  });

  it('IME composition is never taken for a scan', () => {
    for (const ch of 'viet nam ok') {
      vi.advanceTimersByTime(2);
      pressKey(field, ch, { isComposing: true });
    }
    vi.advanceTimersByTime(2);
    pressKey(field, 'Enter', { isComposing: true });
    expect(scans).toEqual([]);
  });
});
