import { onBeforeUnmount, onMounted } from 'vue';

/**
 * Keyboard-wedge barcode / QR readers type like a keyboard, only much faster: a burst of keys a
 * few milliseconds apart, ended by Enter (or Tab). A person rarely keeps every gap under the
 * threshold for `minLength` keys in a row, so such a burst ended by Enter/Tab is taken as a scan:
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

export type WedgeScanHandler = (text: string, info: WedgeScanInfo) => boolean | void;

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = { enabled: true, maxGapMs: 35, minLength: 6 };

type TextField = HTMLInputElement | HTMLTextAreaElement;

function textFieldOf(target: EventTarget | null): TextField | null {
  if (target instanceof HTMLTextAreaElement) return target;
  if (target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'file', 'range', 'color'].includes(target.type)) return target;
  return null;
}

const MODIFIER_KEYS = new Set(['Shift', 'CapsLock', 'Control', 'Alt', 'AltGraph', 'Meta', 'NumLock']);

export class WedgeDetector {
  private chars: string[] = [];
  private lastAt = 0;
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
  }

  /** Give it every keydown of the window, in the capture phase (before fields and shortcuts). */
  handle(event: KeyboardEvent): void {
    const options = this.options();
    if (!options.enabled || event.isComposing) return this.reset();
    if (MODIFIER_KEYS.has(event.key)) return; // Shift before a capital letter is part of the burst
    const t = this.now();
    const inTime = this.chars.length > 0 && t - this.lastAt <= options.maxGapMs;
    if ((event.key === 'Enter' || event.key === 'Tab') && !event.ctrlKey && !event.altKey && !event.metaKey) {
      if (inTime && this.chars.length >= options.minLength) {
        const text = this.chars.join('');
        const field = this.field !== null && this.field.el.isConnected ? this.field.el : null;
        const typed = field?.value ?? '';
        // The field is given back its text before the scan is routed, so routing may fill it.
        this.restoreField();
        if (this.onScan(text, { inTextField: field !== null, fieldText: field !== null ? typed : null }) === false) {
          if (field !== null) {
            field.value = typed;
            field.dispatchEvent(new Event('input', { bubbles: true }));
          }
          return this.reset();
        }
        event.preventDefault();
        event.stopImmediatePropagation();
        this.reset();
        return;
      }
      return this.reset();
    }
    if ([...event.key].length !== 1 || event.ctrlKey || event.altKey || event.metaKey) return this.reset();
    if (!inTime) {
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
    if (t - this.lastAt > options.maxGapMs) return this.reset();
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
