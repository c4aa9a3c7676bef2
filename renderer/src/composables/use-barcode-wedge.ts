import { onBeforeUnmount, onMounted } from 'vue';

/**
 * Keyboard-wedge barcode / QR readers type like a keyboard, only much faster: a burst of keys a
 * few milliseconds apart, ended by Enter (or Tab). A person rarely keeps every gap under the
 * threshold for `minLength` keys in a row, so such a burst ended by Enter/Tab is taken as a scan.
 * An ID card QR is long (150-250 characters) and a busy machine stretches some gaps past the
 * threshold: while the burst still has the card's shape (up to 12 digits, then 12 digits and `|`)
 * gaps up to `QR_MAX_GAP_MS` are tolerated, and a burst that needed this is a scan only if it
 * ends as a card QR (12 digits, `|`). People may type that fast, but never a `|` after 12 digits,
 * so 12 digits typed and Enter stay the field's own. A scan:
 * `onScan` gets the text and whether it was typed into a text field. Unless it answers `false`,
 * the Enter/Tab is swallowed (no form submits, focus stays) and the characters the burst typed
 * into the field are taken back out. Answering `false` leaves the burst to the field as if typed
 * (a code the app does not route, read into a field that may want it). Anything else (slower
 * keys, a short burst, a burst not ended by Enter/Tab) is left alone.
 *
 * Thresholds come from config `barcode.wedge` through `app.info` (docs/operations.md).
 */
export interface WedgeOptions {
  enabled: boolean;
  /** Longest gap between two keys of one scan (ms). */
  maxGapMs: number;
  /** Shortest scan (characters before Enter/Tab). */
  minLength: number;
}

/** What `onScan` is told besides the text. */
export interface WedgeScanInfo {
  /** The burst was typed into a text field (input or textarea). */
  inTextField: boolean;
  /**
   * The field's whole text when the scan ended, the scan included (before the scan is taken back
   * out). A reader slowed down once mid-code (a busy machine, a USB hub) splits one code into a
   * first part left in the field and a burst that is the rest: the listener can recognise the
   * whole code here.
   */
  fieldText: string | null;
}

/**
 * `false`: not a scan, leave it to the field. `{ restoreField }`: a scan, and the field it was typed
 * into gets this text (a code split by a stall left its head there). Otherwise: a scan.
 */
export type WedgeScanAnswer = boolean | void | { restoreField: string };

export type WedgeScanHandler = (text: string, info: WedgeScanInfo) => WedgeScanAnswer;

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = { enabled: true, maxGapMs: 35, minLength: 6 };

/**
 * The longest gap between two keys of an ID card QR while the burst has the card's shape. A busy
 * machine was measured at 60-180 ms between keys for letters a reader inserts as text.
 */
export const QR_MAX_GAP_MS = 250;

/** The burst can still become an ID card QR: 1-12 digits, or 12 digits, `|` and anything. */
function couldBeIdCardQr(text: string): boolean {
  return /^\d{1,12}$/u.test(text) || /^\d{12}\|/u.test(text);
}

type TextField = HTMLInputElement | HTMLTextAreaElement;

function textFieldOf(target: EventTarget | null): TextField | null {
  if (target instanceof HTMLTextAreaElement) return target;
  if (
    target instanceof HTMLInputElement &&
    !['checkbox', 'radio', 'button', 'submit', 'file', 'range', 'color'].includes(target.type)
  )
    return target;
  return null;
}

const MODIFIER_KEYS = new Set(['Shift', 'CapsLock', 'Control', 'Alt', 'AltGraph', 'Meta', 'NumLock']);

export class WedgeDetector {
  private chars: string[] = [];
  private lastAt = 0;
  /** A gap of this burst was past `maxGapMs`, tolerated because the burst looked like a card QR. */
  private slow = false;
  /** The last key event was a character, so the `input` event that follows it is already counted. */
  private lastKeyInserted = false;
  /** The text field the burst started in and its value before the first key. */
  private field: { el: TextField; value: string; start: number | null; end: number | null } | null = null;

  constructor(
    private readonly options: () => WedgeOptions,
    private readonly onScan: WedgeScanHandler,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private reset(): void {
    this.chars = [];
    this.field = null;
    this.lastKeyInserted = false;
    this.slow = false;
  }

  /** Whether a key `next` (null: the ending Enter/Tab) at time `t` continues the burst. */
  private continues(t: number, next: string | null, options: WedgeOptions): boolean {
    if (this.chars.length === 0) return false;
    const gap = t - this.lastAt;
    if (gap <= options.maxGapMs) return true;
    if (gap > Math.max(options.maxGapMs, QR_MAX_GAP_MS)) return false;
    const text = this.chars.join('') + (next ?? '');
    if (!couldBeIdCardQr(text)) return false;
    this.slow = true;
    return true;
  }

  /** Give it every keydown of the window, in the capture phase (before fields and shortcuts). */
  handle(event: KeyboardEvent): void {
    const options = this.options();
    if (!options.enabled || event.isComposing) return this.reset();
    if (MODIFIER_KEYS.has(event.key)) return; // Shift before a capital letter is part of the burst
    const t = this.now();
    if ((event.key === 'Enter' || event.key === 'Tab') && !event.ctrlKey && !event.altKey && !event.metaKey) {
      const inTime = this.continues(t, null, options);
      const text = this.chars.join('');
      // A slow burst is a scan only when it is a whole card QR's shape.
      if (inTime && this.chars.length >= options.minLength && (!this.slow || /^\d{12}\|/u.test(text))) {
        const field = this.field !== null && this.field.el.isConnected ? this.field.el : null;
        const typed = field?.value ?? '';
        // The field is given back its text before the scan is routed, so routing may fill it.
        this.restoreField();
        const answer = this.onScan(text, { inTextField: field !== null, fieldText: field !== null ? typed : null });
        if (answer === false) {
          if (field !== null) {
            field.value = typed;
            field.dispatchEvent(new Event('input', { bubbles: true }));
          }
          return this.reset();
        }
        if (typeof answer === 'object' && field !== null) {
          field.value = answer.restoreField;
          field.dispatchEvent(new Event('input', { bubbles: true }));
        }
        event.preventDefault();
        event.stopImmediatePropagation();
        this.reset();
        return;
      }
      return this.reset();
    }
    if ([...event.key].length !== 1 || event.ctrlKey || event.altKey || event.metaKey) return this.reset();
    if (!this.continues(t, event.key, options)) {
      this.reset();
      const el = textFieldOf(event.target);
      if (el !== null) this.field = { el, value: el.value, start: el.selectionStart, end: el.selectionEnd };
    }
    this.chars.push(event.key);
    this.lastAt = t;
    this.lastKeyInserted = true;
  }

  /**
   * Give it every `input` event of the window too. Characters a reader (or the OS for it) inserts
   * as text without a key event of their own, such as the Vietnamese letters of an ID card QR
   * typed in Unicode mode, arrive only here; inside a running burst they belong to the scan.
   * Outside a burst text input is left alone.
   */
  handleInput(event: Event): void {
    // A key event already counted this character (ordinary keys fire keydown, then input).
    if (this.lastKeyInserted) {
      this.lastKeyInserted = false;
      return;
    }
    const e = event as Partial<InputEvent>;
    if (e.inputType !== 'insertText' || typeof e.data !== 'string' || e.data.length === 0 || e.isComposing) return;
    const options = this.options();
    if (!options.enabled || this.chars.length === 0) return;
    const t = this.now();
    if (!this.continues(t, e.data, options)) return this.reset();
    this.chars.push(...e.data);
    this.lastAt = t;
  }

  /** Takes the scanned characters back out of the field they landed in (v-model hears the input event). */
  private restoreField(): void {
    const field = this.field;
    if (field === null || !field.el.isConnected) return;
    field.el.value = field.value;
    if (field.start !== null && field.end !== null) {
      try {
        field.el.setSelectionRange(field.start, field.end);
      } catch {
        // input types without a selection (email, number)
      }
    }
    field.el.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

/** Listens on the window while the component is mounted. */
export function useBarcodeWedge(onScan: WedgeScanHandler, options: () => WedgeOptions): WedgeDetector {
  const detector = new WedgeDetector(options, onScan);
  const listener = (event: KeyboardEvent) => detector.handle(event);
  const inputListener = (event: Event) => detector.handleInput(event);
  onMounted(() => {
    window.addEventListener('keydown', listener, { capture: true });
    window.addEventListener('input', inputListener, { capture: true });
  });
  onBeforeUnmount(() => {
    window.removeEventListener('keydown', listener, { capture: true });
    window.removeEventListener('input', inputListener, { capture: true });
  });
  return detector;
}
