import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract';
import { resourcesDir } from '../kernel/resources';
import {
  centreLogFile,
  defaultCentreDir,
  defaultCentreQueue,
  externalDatabaseUrl,
  loadCentreConfig,
  maskDatabaseUrl,
  parseCentreConfig,
  trainingCentreConfig,
  writeCentreConfig,
} from './centre-config';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const good = () => ({
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình' },
  hosts: ['192.168.1.10', 'motcua-centre.local'],
  queue: defaultCentreQueue(),
});

function issues(raw: unknown): string[] {
  try {
    parseCentreConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CONFIG_INVALID');
    return ((err as AppError).details as { issues: string[] }).issues;
  }
  throw new Error('accepted');
}

describe('centre config', () => {
  it('fills the defaults', () => {
    const c = parseCentreConfig(good());
    expect(c.listen).toEqual({ address: '0.0.0.0', port: 8443 });
    expect(c.database).toEqual({ embeddedPort: 54329 });
    expect(c.numbers.blockSize).toBe(20);
    expect(c.devices).toEqual({ mode: 'production', paper: 80 });
    expect(c.queue.priority).toEqual({ mode: 'first' });
    expect(centreLogFile('/srv/centre', c)).toBe(join('/srv/centre', 'logs', 'centre.log'));
  });

  it('names each wrong field in Vietnamese', () => {
    expect(issues({ ...good(), agency: { id: '12', name: '' } }).join('\n')).toMatch(
      /agency\.id: mã định danh cơ quan/,
    );
    expect(issues({ ...good(), listen: { port: 70000 } })).toEqual(['listen.port: Giá trị quá lớn (tối đa 65535)']);
    expect(issues({ ...good(), hosts: [] })[0]).toMatch(/^hosts: khai báo ít nhất một địa chỉ/);
    expect(issues({ ...good(), hosts: ['bad host!'] })[0]).toMatch(/^hosts\.0: địa chỉ IP hoặc tên máy/);
    expect(issues({ ...good(), extra: 1 })[0]).toMatch(/trường không được hỗ trợ extra/);
    expect(issues({ ...good(), numbers: { blockSize: 0 } })[0]).toMatch(/^numbers\.blockSize: Giá trị quá nhỏ/);
    expect(issues({ ...good(), devices: { mode: 'test' } })[0]).toMatch(/^devices\.mode: giá trị phải là một trong/);
    expect(issues({ ...good(), database: { url: 'mysql://x/y' } })[0]).toMatch(
      /^database\.url: địa chỉ phải bắt đầu bằng postgres/,
    );
    expect(issues({ ...good(), database: { url: 'not a url' } })[0]).toMatch(/^database\.url: /);
    expect(issues({ ...good(), database: { passwordEnv: 'PG_PW' } })[0]).toMatch(
      /^database\.passwordEnv: chỉ dùng cùng database\.url/,
    );
    expect(issues({ ...good(), database: { url: 'postgres://u:secret@db/x', passwordEnv: 'PG_PW' } })[0]).toMatch(
      /mật khẩu đã có trong database\.url/,
    );
    expect(issues({ ...good(), database: { url: 'postgres://u@db/x', passwordEnv: 'lower' } })[0]).toMatch(
      /tên biến môi trường/,
    );
    const q = {
      ...good(),
      queue: { ...defaultCentreQueue(), counters: [{ id: 'Q01', name: 'Q', services: ['NOPE'] }] },
    };
    expect(issues(q).join('\n')).toMatch(/queue\.counters\.0\.services\.0: dịch vụ "NOPE" chưa khai báo/);
    const printer = { ...good(), queue: { ...defaultCentreQueue(), ticketPrinter: { kind: 'simulated' } } };
    expect(issues(printer)[0]).toMatch(/^queue\.ticketPrinter: ở trung tâm máy in vé khai báo theo từng kiosk/);
    expect(issues(null)[0]).toMatch(/^\(tệp cấu hình\): sai kiểu dữ liệu/);
    expect(issues({ ...good(), agency: undefined })[0]).toMatch(/^agency: thiếu giá trị bắt buộc/);
  });

  it('reads the password from its variable and never shows it', () => {
    const c = parseCentreConfig({
      ...good(),
      database: { url: 'postgres://motcua@10.0.0.5:5432/motcua_centre', passwordEnv: 'PG_PW' },
    });
    const url = externalDatabaseUrl(c, { PG_PW: 'p@ss:w/rd' })!;
    expect(new URL(url).password).not.toBe('');
    expect(decodeURIComponent(new URL(url).password)).toBe('p@ss:w/rd');
    expect(maskDatabaseUrl(url)).toBe('postgres://motcua:***@10.0.0.5:5432/motcua_centre');
    expect(maskDatabaseUrl(url)).not.toMatch(/p@ss/);
    expect(() => externalDatabaseUrl(c, {})).toThrow(/Biến môi trường PG_PW \(database\.passwordEnv\) chưa được đặt/);
    expect(externalDatabaseUrl(parseCentreConfig(good()), {})).toBeNull();
  });

  it('writes owner-only and reads back; a missing or broken file is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'centre-config-'));
    dirs.push(dir);
    expect(() => loadCentreConfig(dir)).toThrow(/Chưa có tệp cấu hình trung tâm .*centre init/);
    writeCentreConfig(dir, good());
    expect(loadCentreConfig(dir).hosts).toEqual(['192.168.1.10', 'motcua-centre.local']);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'centre.config.json')).mode & 0o077).toBe(0);
    expect(() => writeCentreConfig(dir, { ...good(), hosts: [] })).toThrow(AppError);
    expect(JSON.parse(readFileSync(join(dir, 'centre.config.json'), 'utf8')).hosts).toHaveLength(2);
    writeFileSync(join(dir, 'centre.config.json'), '{ not json');
    expect(() => loadCentreConfig(dir)).toThrow(/không phải JSON hợp lệ/);
  });

  it('training: the seeded queue on 127.0.0.1, simulated printers', () => {
    const c = trainingCentreConfig(resourcesDir(), { port: 9443, embeddedPort: 55000 });
    expect(c.listen).toEqual({ address: '127.0.0.1', port: 9443 });
    expect(c.hosts).toEqual(['127.0.0.1', 'localhost']);
    expect(c.devices.mode).toBe('training');
    expect(c.queue.counters.map((x) => x.id)).toEqual(['Q01', 'Q02', 'Q03']);
    expect(c.database.embeddedPort).toBe(55000);
  });

  it('the centre folder: MOTCUA_CENTRE_DIR, else the OS convention', () => {
    expect(defaultCentreDir({ MOTCUA_CENTRE_DIR: '/srv/motcua' }, 'linux', 0)).toBe('/srv/motcua');
    expect(defaultCentreDir({ XDG_CONFIG_HOME: '/home/it/.config' }, 'linux', 1000)).toBe(
      join('/home/it/.config', 'motcua-centre'),
    );
    // A service run as root: a folder the postgres user can pass through.
    expect(defaultCentreDir({ XDG_CONFIG_HOME: '/root/.config' }, 'linux', 0)).toBe('/var/lib/motcua-centre');
    expect(defaultCentreDir({ APPDATA: 'C:\\Users\\it\\AppData\\Roaming' }, 'win32', null)).toMatch(/motcua-centre$/);
  });
});
