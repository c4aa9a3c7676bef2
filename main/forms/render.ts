import type {
  ApologyData,
  FormApplicant,
  FormCommon,
  FormProcedure,
  RefusalData,
  ReceiptData,
  SupplementData,
} from './form-data';
import { fontMeasurer, loadFonts, textOutline } from './fonts';
import type { FontKey, FontSet } from './fonts';
import { formatDateLine, formatTime, formatVnd, localTimeToDate, parseLocalTime } from './format';
import type { LocalTime } from './format';
import { A4, Flow, cleanText, lineHeight as lineHeightOf } from './layout';
import type { Column } from './layout';
import type { BlockPainter, DrawOp, PageGeometry, Rgb, Run } from './layout';
import { writePdf } from './pdf';
import { qrSquares } from './qr';
import type { PdfMeta } from './pdf';
import { fillText, loadTemplate } from './templates';
import type { AnyFormTemplate, ReceiptTemplate } from './templates';

export type { ReceiptData, SupplementData, RefusalData, ApologyData } from './form-data';
export { qrSquares } from './qr';
export type { QrLayout, QrSquare } from './qr';
export type { DrawOp, PageGeometry } from './layout';
export type { PdfMeta } from './pdf';

/** Font sizes (points). */
const SIZE = {
  formCode: 9,
  header: 10.5,
  motto: 11,
  dateLine: 10.5,
  agencyId: 8.5,
  title: 14,
  body: 10.5,
  table: 9.5,
  tableHeader: 9,
  signTitle: 10.5,
  signHint: 9.5,
  note: 8.5,
  small: 8,
} as const;

const HEADER_LEFT_WIDTH = 222;
const LIST_INDENT = 16;
/** QR symbol side: 2.5 pt per module (≈0.9 mm), between these bounds. */
const QR_MIN_SIZE = 72;
const QR_MAX_SIZE = 112;
const QR_MODULE = 2.5;
const QR_COLUMN = 128;
const SIGNATURE_SPACE = 46;
const TRAINING_RED: Rgb = { r: 0.75, g: 0.05, b: 0.05 };

interface FormContext {
  flow: Flow;
  fonts: FontSet;
  template: AnyFormTemplate;
}

function start(template: AnyFormTemplate): FormContext {
  const fonts = loadFonts();
  return { flow: new Flow(fontMeasurer(fonts), A4), fonts, template };
}

function requireText(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new RangeError(`${field}: must not be empty`);
  return value;
}

function requireCount(value: number, field: string): string {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${field}: expected a whole number ≥ 0, got ${value}`);
  return String(value);
}

function checkCommon(d: FormCommon): void {
  requireText(d.agencyName, 'agencyName');
  requireText(d.dossierCode, 'dossierCode');
  requireText(d.applicant.fullName, 'applicant.fullName');
  requireText(d.procedure.name, 'procedure.name');
}

/** "Label: value" with the value's continuation lines aligned under the value when the label is short. */
function labelled(
  target: Flow | Column,
  label: string,
  value: string,
  valueFont: FontKey = 'regular',
  size: number = SIZE.body,
  after = 1.5,
): void {
  const labelText = `${label} `;
  const labelWidth =
    target instanceof Flow
      ? target.measurer.width(labelText, 'regular', size)
      : target.textWidth(labelText, 'regular', size);
  const runs: Run[] = [
    { text: labelText, font: 'regular' },
    { text: value, font: valueFont },
  ];
  const hangIndent = labelWidth < target.width * 0.45 ? labelWidth : 0;
  target.paragraph(runs, { size, hangIndent, after });
}

function orEmpty(value: string | null, t: AnyFormTemplate): string {
  return value === null || value.trim() === '' ? t.emptyValue : value;
}

/** Form number (top right), the two header columns and the title with the dossier code. */
function header(ctx: FormContext, d: FormCommon, date: LocalTime, dossierLabel: string): void {
  const { flow, template: t } = ctx;
  if (t.formCode !== undefined)
    flow.paragraph({ text: t.formCode, font: 'italic' }, { size: SIZE.formCode, align: 'right', after: 2 });

  const left: BlockPainter = (col) => {
    col.paragraph(
      { text: d.agencyName.toLocaleUpperCase('vi'), font: 'regular' },
      { size: SIZE.header, align: 'center' },
    );
    col.paragraph({ text: t.header.unit, font: 'bold' }, { size: SIZE.header, align: 'center', after: 3 });
    col.rule(56);
    col.space(4);
    if (d.agencyId.trim() !== '') {
      col.paragraph(
        { text: fillText(t.header.agencyId, { id: d.agencyId }), font: 'italic' },
        { size: SIZE.agencyId, align: 'center' },
      );
    }
  };
  const right: BlockPainter = (col) => {
    col.paragraph({ text: t.header.nation, font: 'bold' }, { size: SIZE.header, align: 'center' });
    col.paragraph({ text: t.header.motto, font: 'bold' }, { size: SIZE.motto, align: 'center', after: 2 });
    col.rule(col.textWidth(t.header.motto, 'bold', SIZE.motto));
    col.space(8);
    col.paragraph({ text: formatDateLine(date, t.dateLine), font: 'italic' }, { size: SIZE.dateLine, align: 'center' });
  };
  flow.row([
    { dx: 0, width: HEADER_LEFT_WIDTH - 12, paint: left },
    { dx: HEADER_LEFT_WIDTH, width: flow.width - HEADER_LEFT_WIDTH, paint: right },
  ]);

  flow.space(14);
  flow.paragraph({ text: t.title, font: 'bold' }, { size: SIZE.title, align: 'center', after: 2 });
  flow.paragraph(
    [
      { text: `${dossierLabel} `, font: 'regular' },
      { text: d.dossierCode, font: 'bold' },
    ],
    { size: SIZE.body + 0.5, align: 'center' },
  );
  flow.space(8);
}

/** "1. …", "2. …" with the numbers right-aligned and wrapped lines aligned with the item text. */
function numberedList(flow: Flow, items: readonly string[], size: number = SIZE.body): void {
  const widest = flow.measurer.width(`${items.length}. `, 'regular', size);
  items.forEach((item, i) => {
    const marker = `${i + 1}. `;
    const markerWidth = flow.measurer.width(marker, 'regular', size);
    flow.paragraph(
      { text: marker + item, font: 'regular' },
      { size, firstIndent: LIST_INDENT + widest - markerWidth, hangIndent: LIST_INDENT + widest, after: 1.5 },
    );
  });
}

function signatureBlock(title: string, hint: string, name: string): BlockPainter {
  return (col) => {
    col.paragraph({ text: title, font: 'bold' }, { size: SIZE.signTitle, align: 'center' });
    col.paragraph({ text: hint, font: 'italic' }, { size: SIZE.signHint, align: 'center' });
    col.space(SIGNATURE_SPACE);
    col.paragraph({ text: name, font: 'bold' }, { size: SIZE.signTitle, align: 'center' });
  };
}

function footnotesPainter(notes: readonly string[]): BlockPainter {
  return (col) => {
    for (const note of notes) col.paragraph({ text: note, font: 'italic' }, { size: SIZE.note, after: 1 });
  };
}

/**
 * The signature row and the footnotes, kept on one page together with `lead` (the last lines of
 * the body) so that a signature never stands alone on a page.
 */
function closingRow(ctx: FormContext, blocks: Parameters<Flow['row']>[0], lead?: BlockPainter): void {
  const { flow, template: t } = ctx;
  const notes = footnotesPainter(t.footnotes);
  const gap = 12;
  const notesGap = 14;
  const notesHeight = t.footnotes.length > 0 ? flow.measureBlock(flow.width, notes) + notesGap : 0;
  const rowHeight = Math.max(0, ...blocks.map((b) => flow.measureBlock(b.width, b.paint, flow.left + b.dx)));
  const leadHeight = lead !== undefined ? flow.measureBlock(flow.width, lead) : 0;
  flow.ensure(leadHeight + gap + rowHeight + notesHeight);
  if (lead !== undefined) flow.row([{ dx: 0, width: flow.width, paint: lead }], { keepTogether: false });
  flow.space(gap);
  flow.row(blocks, { keepTogether: false });
  if (t.footnotes.length > 0) {
    flow.space(notesGap);
    flow.row([{ dx: 0, width: flow.width, paint: notes }], { keepTogether: false });
  }
}

/** Page footers on multi-page forms, the training mark on every page. */
function decorate(ctx: FormContext, d: FormCommon): DrawOp[][] {
  const { flow, template: t } = ctx;
  const { page } = flow;
  const pages = flow.pages;
  const m = flow.measurer;
  pages.forEach((ops, i) => {
    if (pages.length > 1) {
      const text = cleanText(
        fillText(t.pageFooter, { code: d.dossierCode, page: String(i + 1), pages: String(pages.length) }),
        'italic',
        m,
      );
      const w = m.width(text, 'italic', SIZE.small);
      ops.push({
        kind: 'text',
        x: flow.left + (flow.width - w) / 2,
        y: page.height - page.marginBottom + 24,
        text,
        font: 'italic',
        size: SIZE.small,
      });
    }
    if (d.training) {
      const mark = cleanText(t.trainingMark, 'bold', m);
      // A stripe across the top edge…
      const stripeTop = 12;
      const stripeHeight = 20;
      const sw = m.width(mark, 'bold', 10);
      const underlay: DrawOp[] = [
        { kind: 'rect', x: 0, y: stripeTop, w: page.width, h: stripeHeight, fill: { r: 1, g: 0.87, b: 0.87 } },
        {
          kind: 'text',
          x: (page.width - sw) / 2,
          y: stripeTop + 14,
          text: mark,
          font: 'bold',
          size: 10,
          color: TRAINING_RED,
        },
      ];
      // …and a faint diagonal watermark across the page, drawn as outlines so that it does not
      // mix with the form's text when the PDF is searched or copied.
      const angle = Math.atan2(page.height, page.width);
      const diagonal = Math.hypot(page.width - 2 * page.marginLeft, page.height - 2 * page.marginTop);
      const size = Math.min(48, (0.8 * diagonal) / m.width(mark, 'bold', 1));
      const outline = textOutline(ctx.fonts, mark, 'bold', size);
      const capHalf = size * 0.36;
      const cx = page.width / 2;
      const cy = page.height / 2;
      // Start of the baseline in PDF (y-up) coordinates, so that the text is centred on (cx, cy).
      const sx = cx - (outline.width / 2) * Math.cos(angle) + capHalf * Math.sin(angle);
      const sy = cy - (outline.width / 2) * Math.sin(angle) - capHalf * Math.cos(angle);
      underlay.push({
        kind: 'path',
        x: sx,
        y: page.height - sy,
        d: outline.d,
        color: TRAINING_RED,
        rotate: (angle * 180) / Math.PI,
        opacity: 0.12,
      });
      // Under the form's content, so the content stays fully legible.
      ops.unshift(...underlay);
    }
  });
  return pages;
}

/** A form laid out into pages of drawing operations, ready to be written as PDF. */
export interface LaidOutForm {
  pages: DrawOp[][];
  geometry: PageGeometry;
  meta: PdfMeta;
}

function finish(ctx: FormContext, d: FormCommon, date: LocalTime): LaidOutForm {
  const pages = decorate(ctx, d);
  const t = ctx.template;
  return {
    pages,
    geometry: ctx.flow.page,
    meta: {
      title: `${d.training ? `${t.trainingMark} – ` : ''}${t.subject} – ${d.dossierCode}`,
      subject: t.subject,
      author: d.agencyName,
      keywords: [d.dossierCode, d.procedure.code],
      date: localTimeToDate(date),
      language: 'vi',
    },
  };
}

function toPdf(form: LaidOutForm): Promise<Uint8Array> {
  return writePdf(form.pages, form.geometry, loadFonts(), form.meta);
}

function applicantLines(
  flow: Flow,
  a: FormApplicant,
  labels: { applicant: string; idNumber: string; address?: string },
  t: AnyFormTemplate,
): void {
  labelled(flow, labels.applicant, a.fullName, 'bold');
  labelled(flow, labels.idNumber, orEmpty(a.idNumber, t));
  if (labels.address !== undefined) labelled(flow, labels.address, orEmpty(a.address, t));
}

/** The applicant, then the procedure with its code: the opening of forms 2, 3 and 4. */
function applicantAndProcedure(
  flow: Flow,
  d: { applicant: FormApplicant; procedure: FormProcedure },
  labels: { applicant: string; idNumber: string; address?: string; procedure: string; procedureCode: string },
  t: AnyFormTemplate,
): void {
  applicantLines(flow, d.applicant, labels, t);
  labelled(flow, labels.procedure, d.procedure.name, 'bold');
  labelled(flow, labels.procedureCode, orEmpty(d.procedure.code, t));
}

/**
 * Two "label: value" pairs side by side (the right one gets more room: it holds longer values);
 * one under the other when either would wrap.
 */
function halves(flow: Flow, left: [string, string], right: [string, string]): void {
  const split = Math.round(flow.width * 0.42);
  const gutter = 8;
  const leftBlock: BlockPainter = (col) => labelled(col, left[0], left[1]);
  const rightBlock: BlockPainter = (col) => labelled(col, right[0], right[1]);
  const oneLine = lineHeightOf(SIZE.body) + 1.5 + 0.01;
  const fits =
    flow.measureBlock(split - gutter, leftBlock) <= oneLine &&
    flow.measureBlock(flow.width - split, rightBlock) <= oneLine;
  if (fits) {
    flow.row([
      { dx: 0, width: split - gutter, paint: leftBlock },
      { dx: split, width: flow.width - split, paint: rightBlock },
    ]);
  } else {
    labelled(flow, left[0], left[1]);
    labelled(flow, right[0], right[1]);
  }
}

function receiptFees(flow: Flow, d: ReceiptData, t: ReceiptTemplate): void {
  const labels = t.labels;
  flow.paragraph({ text: labels.feesHeading, font: 'bold' }, { size: SIZE.body, after: 1.5 });
  if (d.fees.length === 0) {
    flow.paragraph(
      { text: labels.noFees, font: 'regular' },
      { size: SIZE.body, firstIndent: LIST_INDENT, hangIndent: LIST_INDENT, after: 4 },
    );
    return;
  }
  const amountWidth = 130;
  const nameWidth = flow.width - LIST_INDENT - amountWidth - 8;
  d.fees.forEach((fee, i) => {
    const amount = formatVnd(fee.amount, t.currency, `fees[${i}].amount`);
    flow.row([
      {
        dx: LIST_INDENT,
        width: nameWidth,
        paint: (col) => col.paragraph({ text: `- ${fee.name}`, font: 'regular' }, { size: SIZE.body, hangIndent: 8 }),
      },
      {
        dx: flow.width - amountWidth,
        width: amountWidth,
        paint: (col) => col.paragraph({ text: amount, font: 'regular' }, { size: SIZE.body, align: 'right' }),
      },
    ]);
  });
  const total = formatVnd(d.totalFee, t.currency, 'totalFee');
  flow.space(2);
  flow.row([
    {
      dx: LIST_INDENT,
      width: nameWidth,
      paint: (col) => col.paragraph({ text: labels.totalFee, font: 'bold' }, { size: SIZE.body }),
    },
    {
      dx: flow.width - amountWidth,
      width: amountWidth,
      paint: (col) => {
        col.rule(amountWidth, 0.4);
        col.paragraph({ text: total, font: 'bold' }, { size: SIZE.body, align: 'right' });
      },
    },
  ]);
  flow.space(4);
}

/** Form 1 laid out (pages of drawing operations); `renderReceipt` writes it as PDF. */
export function layoutReceipt(d: ReceiptData): LaidOutForm {
  checkCommon(d);
  requireText(d.lookupUrl, 'lookupUrl');
  const receivedAt = parseLocalTime(d.receivedAt, 'receivedAt');
  const appointmentAt = d.appointmentAt === null ? null : parseLocalTime(d.appointmentAt, 'appointmentAt');
  const t = loadTemplate('receipt');
  const ctx = start(t);
  const labels = t.labels;
  const { flow } = ctx;

  header(ctx, d, receivedAt, labels.dossierCode);
  applicantLines(flow, d.applicant, labels, t);
  halves(flow, [labels.phone, orEmpty(d.applicant.phone, t)], [labels.email, orEmpty(d.applicant.email, t)]);
  labelled(flow, labels.procedure, d.procedure.name, 'bold');
  halves(flow, [labels.procedureCode, orEmpty(d.procedure.code, t)], [labels.channel, orEmpty(d.channelName, t)]);
  flow.space(8);

  flow.paragraph({ text: labels.componentsHeading, font: 'bold' }, { size: SIZE.body, after: 3 });
  if (d.components.length === 0) {
    flow.paragraph(
      { text: labels.noComponents, font: 'regular' },
      { size: SIZE.body, firstIndent: LIST_INDENT, after: 4 },
    );
  } else {
    const tl = labels.table;
    flow.table(
      [
        { width: 30, align: 'center' },
        { width: 'fill' },
        { width: 48, align: 'center' },
        { width: 46, align: 'center' },
        { width: 132 },
      ],
      [{ text: tl.index }, { text: tl.name }, { text: tl.originals }, { text: tl.copies }, { text: tl.source }],
      d.components.map((c, i) => [
        { text: String(i + 1) },
        { text: requireText(c.name, `components[${i}].name`) },
        { text: requireCount(c.originals, `components[${i}].originals`) },
        { text: requireCount(c.copies, `components[${i}].copies`) },
        { text: c.sourceLabel },
      ]),
      {
        size: SIZE.table,
        headerSize: SIZE.tableHeader,
        onContinue: (f) =>
          f.paragraph({ text: labels.componentsContinued, font: 'italic' }, { size: SIZE.body, after: 3 }),
      },
    );
    flow.space(8);
  }

  receiptFees(flow, d, t);
  flow.space(2);
  const times: BlockPainter = (col) => {
    labelled(col, labels.receivedAt, formatTime(receivedAt, t.timeFormat), 'bold', SIZE.body, 3);
    labelled(
      col,
      labels.appointmentAt,
      appointmentAt === null ? labels.noDeadline : formatTime(appointmentAt, t.timeFormat),
      'bold',
      SIZE.body,
      3,
    );
    labelled(col, labels.collectAt, orEmpty(d.collectAt, t), 'regular', SIZE.body, 3);
  };

  let qrModules: number;
  try {
    qrModules = qrSquares(d.lookupUrl, 1).modules;
  } catch (err) {
    throw new RangeError(`lookupUrl: cannot be encoded as a QR code (${(err as Error).message})`, { cause: err });
  }
  const qrSize = Math.min(QR_MAX_SIZE, Math.max(QR_MIN_SIZE, qrModules * QR_MODULE));
  const qrColumn: BlockPainter = (col) => {
    const x = col.x + (col.width - qrSize) / 2;
    col.push({ kind: 'qr', x, y: col.y + 2, size: qrSize, text: d.lookupUrl });
    col.space(qrSize + 13);
    col.paragraph({ text: d.dossierCode, font: 'bold' }, { size: SIZE.small, align: 'center' });
    col.paragraph({ text: labels.qrCaption, font: 'italic' }, { size: SIZE.small, align: 'center' });
  };
  const signWidth = (flow.width - QR_COLUMN) / 2;
  closingRow(
    ctx,
    [
      { dx: 0, width: QR_COLUMN, paint: qrColumn },
      {
        dx: QR_COLUMN,
        width: signWidth,
        paint: signatureBlock(labels.applicantSign, t.signHint, d.applicant.fullName),
      },
      {
        dx: QR_COLUMN + signWidth,
        width: signWidth,
        paint: signatureBlock(labels.officerSign, t.signHint, d.officerName),
      },
    ],
    times,
  );

  return finish(ctx, d, receivedAt);
}

/** Form 2 laid out; `renderSupplementRequest` writes it as PDF. */
export function layoutSupplementRequest(d: SupplementData): LaidOutForm {
  checkCommon(d);
  const requestedAt = parseLocalTime(d.requestedAt, 'requestedAt');
  const t = loadTemplate('supplement');
  const ctx = start(t);
  const labels = t.labels;
  const { flow } = ctx;

  header(ctx, d, requestedAt, labels.dossierCode);
  applicantAndProcedure(flow, d, labels, t);
  flow.space(8);
  flow.paragraph(
    { text: fillText(labels.intro, { agency: d.agencyName }), font: 'regular' },
    { size: SIZE.body, after: 3 },
  );
  numberedList(
    flow,
    d.missing.map((m, i) => requireText(m, `missing[${i}]`)),
  );
  flow.space(4);
  labelled(flow, labels.reason, orEmpty(d.reason, t), 'regular', SIZE.body, 6);
  flow.paragraph({ text: labels.contactIntro, font: 'regular' }, { size: SIZE.body, after: 1.5 });
  const dash = (label: string, value: string, font: FontKey): void => {
    const marker = `- ${label} `;
    const w = flow.measurer.width(marker, 'regular', SIZE.body);
    flow.paragraph(
      [
        { text: marker, font: 'regular' },
        { text: value, font },
      ],
      { size: SIZE.body, firstIndent: LIST_INDENT, hangIndent: LIST_INDENT + w, after: 1.5 },
    );
  };
  dash(labels.officer, orEmpty(d.officerName, t), 'bold');
  dash(labels.contact, orEmpty(d.contact, t), 'regular');
  flow.space(4);

  const half = flow.width / 2;
  const closing: BlockPainter = (col) => col.paragraph({ text: labels.closing, font: 'regular' }, { size: SIZE.body });
  closingRow(
    ctx,
    [{ dx: half, width: half, paint: signatureBlock(labels.officerSign, t.signHint, d.officerName) }],
    closing,
  );
  return finish(ctx, d, requestedAt);
}

/** Form 3 laid out; `renderRefusal` writes it as PDF. */
export function layoutRefusal(d: RefusalData): LaidOutForm {
  checkCommon(d);
  const refusedAt = parseLocalTime(d.refusedAt, 'refusedAt');
  const t = loadTemplate('refusal');
  const ctx = start(t);
  const labels = t.labels;
  const { flow } = ctx;

  header(ctx, d, refusedAt, labels.dossierCode);
  applicantAndProcedure(flow, d, labels, t);
  flow.space(8);
  flow.paragraph(
    { text: fillText(labels.intro, { agency: d.agencyName }), font: 'regular' },
    { size: SIZE.body, after: 3 },
  );
  numberedList(
    flow,
    d.reasons.map((r, i) => requireText(r, `reasons[${i}]`)),
  );
  flow.space(6);

  const half = flow.width / 2;
  const closing: BlockPainter = (col) => col.paragraph({ text: labels.closing, font: 'regular' }, { size: SIZE.body });
  closingRow(
    ctx,
    [{ dx: half, width: half, paint: signatureBlock(labels.officerSign, t.signHint, d.officerName) }],
    closing,
  );
  return finish(ctx, d, refusedAt);
}

/** Form 1: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, as PDF bytes (same data → same bytes). */
export async function renderReceipt(d: ReceiptData): Promise<Uint8Array> {
  return toPdf(layoutReceipt(d));
}

/** Form 2: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, as PDF bytes. */
export async function renderSupplementRequest(d: SupplementData): Promise<Uint8Array> {
  return toPdf(layoutSupplementRequest(d));
}

/** Form 3: Phiếu từ chối tiếp nhận, giải quyết hồ sơ, as PDF bytes. */
export async function renderRefusal(d: RefusalData): Promise<Uint8Array> {
  return toPdf(layoutRefusal(d));
}

/** Form 4 laid out; `renderApology` writes it as PDF. */
export function layoutApology(d: ApologyData): LaidOutForm {
  checkCommon(d);
  const issuedAt = parseLocalTime(d.issuedAt, 'issuedAt');
  const receivedAt = parseLocalTime(d.receivedAt, 'receivedAt');
  const previous = parseLocalTime(d.previousAppointmentAt, 'previousAppointmentAt');
  const next = parseLocalTime(d.newAppointmentAt, 'newAppointmentAt');
  requireText(d.reason, 'reason');
  const t = loadTemplate('apology');
  const ctx = start(t);
  const labels = t.labels;
  const { flow } = ctx;

  header(ctx, d, issuedAt, labels.dossierCode);
  applicantAndProcedure(flow, d, labels, t);
  labelled(flow, labels.receivedAt, formatTime(receivedAt, t.timeFormat));
  labelled(flow, labels.previousAppointmentAt, formatTime(previous, t.timeFormat));
  flow.space(6);
  flow.paragraph(
    { text: fillText(labels.intro, { agency: d.agencyName }), font: 'regular' },
    { size: SIZE.body, after: 3 },
  );
  labelled(flow, labels.reason, d.reason, 'regular', SIZE.body, 4);
  flow.paragraph(
    { text: fillText(labels.apology, { agency: d.agencyName }), font: 'regular' },
    { size: SIZE.body, after: 3 },
  );
  labelled(flow, labels.newAppointmentAt, formatTime(next, t.timeFormat), 'bold', SIZE.body, 6);

  const half = flow.width / 2;
  const closing: BlockPainter = (col) => col.paragraph({ text: labels.closing, font: 'regular' }, { size: SIZE.body });
  closingRow(
    ctx,
    [{ dx: half, width: half, paint: signatureBlock(labels.officerSign, t.signHint, d.officerName) }],
    closing,
  );
  return finish(ctx, d, issuedAt);
}

/** Form 4: Phiếu xin lỗi và hẹn lại ngày trả kết quả, as PDF bytes. */
export async function renderApology(d: ApologyData): Promise<Uint8Array> {
  return toPdf(layoutApology(d));
}
