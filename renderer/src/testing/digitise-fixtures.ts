import type {
  BatchPage,
  BatchView,
  DocumentSearchHit,
  FinishResult,
  PendingComponent,
  ScannerListing,
} from '../stores/types';

/** A 1×1 PNG, base64: what a thumbnail looks like on the wire. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==';

export const scanners: ScannerListing[] = [
  {
    id: 'sim:1',
    name: 'Máy quét mô phỏng',
    kind: 'simulated',
    capabilities: {
      sources: ['flatbed', 'feeder'],
      duplex: true,
      resolutions: [150, 200, 300, 600],
      modes: ['color', 'gray', 'bw'],
      pageSizes: [{ name: 'A4', widthMm: 210, heightMm: 297 }],
    },
    error: null,
  },
  {
    id: 'escl:tang2',
    name: 'Máy quét tầng 2',
    kind: 'escl',
    capabilities: null,
    error: { code: 'DEVICE_UNAVAILABLE', message: 'Không kết nối được 192.168.1.20' },
  },
];

export function batchPage(index: number, overrides: Partial<BatchPage> = {}): BatchPage {
  return {
    index,
    side: 'front',
    position: index,
    group: 0,
    status: 'ok',
    error: null,
    blank: false,
    deleted: false,
    rotation: 0,
    rotationOverride: 0,
    skewAngle: 0,
    ocrText: `CĂN CƯỚC CÔNG DÂN trang ${index + 1}`,
    ocrConfidence: 0.91,
    thumbnail: PNG_BASE64,
    documentId: null,
    ...overrides,
  };
}

export function batchView(pages: BatchPage[], overrides: Partial<BatchView> = {}): BatchView {
  const groups = new Map<number, { pages: number; documentId: string | null }>();
  for (const p of pages) {
    if (p.deleted) continue;
    const g = groups.get(p.group) ?? { pages: 0, documentId: null };
    g.pages += 1;
    if (p.documentId) g.documentId = p.documentId;
    groups.set(p.group, g);
  }
  return {
    batchId: 'b-1',
    state: 'ready',
    source: 'scanner',
    scannerId: 'sim:1',
    createdAt: '2026-11-20T09:00',
    officer: 'sohoa',
    lastError: null,
    pages,
    groups: [...groups].map(([group, g]) => ({ group, ...g })),
    ...overrides,
  };
}

export const pendingCccd: PendingComponent = {
  dossierCode: '000.00.12.H56-261120-0001',
  componentCode: 'TP02',
  componentName: 'Bản sao Căn cước công dân',
  documentCode: 'KQ0003',
  applicantName: 'Nguyễn Văn Dũng',
  applicantIdNumber: '001203004567',
  procedureCode: '1.004873',
  procedureName: 'Đăng ký thường trú',
  receivedAt: '2026-11-20T08:30',
};

export const finishResult: FinishResult = {
  documentId: 'L:7',
  sha256: 'ab'.repeat(32),
  pageCount: 2,
  sizeBytes: 184_320,
  textChars: 912,
  blankPages: 0,
  dossierCode: pendingCccd.dossierCode,
  componentCode: 'TP02',
  batchClosed: true,
};

export const documentHit: DocumentSearchHit = {
  id: 'L:7',
  source: 'local',
  ownerIdNumber: '001203004567',
  ownerName: 'Nguyễn Văn Dũng',
  documentCode: 'KQ0003',
  documentName: 'Căn cước công dân',
  dossierCode: pendingCccd.dossierCode,
  digitisedAt: '2026-11-20T09:10',
  pageCount: 2,
  sizeBytes: 184_320,
  validUntil: '2036-05-17',
  convertedFromPaper: true,
  snippet: '… Nơi cư trú: phường Bến Nghé …',
};
