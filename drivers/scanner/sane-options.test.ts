import { describe, expect, it } from 'vitest';
import { classifySaneExit, parseSaneDeviceList, parseSaneOptions, saneCapabilities } from './sane-options';

describe('scanimage output parsing', () => {
  it('parses scanimage -L', () => {
    const out = [
      "device `test:0' is a Noname frontend-tester virtual device",
      "device `fujitsu:fi-7160:12345' is a FUJITSU fi-7160 scanner",
      "device `airscan:e0:HP LaserJet MFP M234sdw' is a eSCL HP LaserJet MFP M234sdw ip=192.168.1.20",
      '',
      'No scanners were identified.',
    ].join('\n');
    expect(parseSaneDeviceList(out)).toEqual([
      { device: 'test:0', description: 'Noname frontend-tester virtual device' },
      { device: 'fujitsu:fi-7160:12345', description: 'FUJITSU fi-7160 scanner' },
      { device: 'airscan:e0:HP LaserJet MFP M234sdw', description: 'eSCL HP LaserJet MFP M234sdw ip=192.168.1.20' },
    ]);
  });

  it('parses option lines: lists, ranges with units, booleans, inactive ones', () => {
    const options = parseSaneOptions(
      [
        "All options specific to device `test:0':",
        '  Scan Mode:',
        '    --mode Gray|Color [Gray]',
        '        Selects the scan mode.',
        '    --three-pass[=(yes|no)] [inactive]',
        '    --resolution 1..1200dpi (in steps of 1) [50]',
        '    --source Flatbed|Automatic Document Feeder [Flatbed]',
        '    --three-pass-order RGB|RBG|GBR [inactive]',
        '    -x 0..215.9mm [215.9]',
        '    --int <int> [42] [advanced]',
        '    --print-options',
      ].join('\n'),
    );
    const by = (name: string): (typeof options)[number] | undefined => options.find((o) => o.name === name);
    expect(by('--mode')).toMatchObject({ values: ['Gray', 'Color'], current: 'Gray', inactive: false });
    expect(by('--three-pass')).toMatchObject({ values: ['yes', 'no'], inactive: true });
    expect(by('--resolution')).toMatchObject({ range: { min: 1, max: 1200, step: 1 }, unit: 'dpi', current: '50' });
    expect(by('--source')?.values).toEqual(['Flatbed', 'Automatic Document Feeder']);
    expect(by('--three-pass-order')).toMatchObject({ inactive: true });
    expect(by('-x')).toMatchObject({ range: { min: 0, max: 215.9, step: null }, unit: 'mm' });
    expect(by('--int')).toMatchObject({ values: null, range: null, current: '42' });
    expect(by('--print-options')).toMatchObject({ values: null, current: null });
  });

  it('derives capabilities of a duplex document scanner', () => {
    const options = parseSaneOptions(
      [
        '  Standard:',
        '    --source Flatbed|ADF Front|ADF Back|ADF Duplex [ADF Front]',
        '    --mode Lineart|Halftone|Gray|Color [Lineart]',
        '    --resolution 75|100|150|200|300|600dpi [300]',
        '  Geometry:',
        '    -l 0..215.9mm (in steps of 0.0211639) [0]',
        '    -t 0..355.6mm (in steps of 0.0211639) [0]',
        '    -x 0..215.9mm (in steps of 0.0211639) [215.872]',
        '    -y 0..355.6mm (in steps of 0.0211639) [279.364]',
        '    --page-width 0..221.121mm (in steps of 0.0211639) [215.872]',
        '    --page-height 0..457.2mm (in steps of 0.0211639) [279.364]',
      ].join('\n'),
    );
    const { capabilities, plan } = saneCapabilities(options);
    expect(capabilities).toEqual({
      sources: ['flatbed', 'feeder'],
      duplex: true,
      resolutions: [75, 100, 150, 200, 300, 600],
      modes: ['color', 'gray', 'bw'],
      pageSizes: [
        { name: 'Legal', widthMm: 215.9, heightMm: 355.6 },
        { name: 'A4', widthMm: 210, heightMm: 297 },
        { name: 'Letter', widthMm: 215.9, heightMm: 279.4 },
        { name: 'A5', widthMm: 148, heightMm: 210 },
        { name: 'A6', widthMm: 105, heightMm: 148 },
      ],
    });
    expect(plan.sources).toEqual({ flatbed: 'Flatbed', feeder: 'ADF Front', duplex: 'ADF Duplex' });
    expect(plan.modes.bw).toEqual(['--mode', 'Lineart']);
    expect(plan.pageSizeOptions).toBe(true);
  });

  it('a device with only a feeder and a duplex switch', () => {
    const { capabilities, plan } = saneCapabilities(
      parseSaneOptions(
        [
          '    --source ADF [ADF]',
          '    --mode Color|Gray [Color]',
          '    --resolution 100..600dpi [300]',
          '    --duplex[=(yes|no)] [no]',
        ].join('\n'),
      ),
    );
    expect(capabilities.sources).toEqual(['feeder']);
    expect(capabilities.duplex).toBe(true);
    expect(capabilities.modes).toEqual(['color', 'gray']);
    expect(capabilities.resolutions).toEqual([100, 150, 200, 240, 300, 400, 600]);
    expect(plan.duplexArgs).toEqual(['--duplex=yes']);
  });

  it('classifies scanimage endings', () => {
    expect(
      classifySaneExit(0, 'Scanned page 3.\nscanimage: sane_start: Document feeder out of documents\n', 3),
    ).toEqual({ fault: null });
    expect(classifySaneExit(7, 'scanimage: sane_start: Document feeder out of documents\n', 0)).toMatchObject({
      fault: 'SCANNER_FEEDER_EMPTY',
    });
    expect(classifySaneExit(6, 'scanimage: sane_read: Document feeder jammed\n', 2)).toMatchObject({
      fault: 'SCANNER_JAM',
    });
    expect(classifySaneExit(1, 'scanimage: open of device x:0 failed: Invalid argument\n', 0)).toMatchObject({
      fault: 'DEVICE_UNAVAILABLE',
    });
    expect(classifySaneExit(9, 'scanimage: sane_read: Error during device I/O\n', 1)).toMatchObject({
      fault: 'SCANNER_DISCONNECTED',
    });
    expect(classifySaneExit(3, '', 0)).toMatchObject({ fault: 'DEVICE_UNAVAILABLE' });
    expect(classifySaneExit(42, 'scanimage: something new\n', 0)).toMatchObject({ fault: 'DEVICE_UNAVAILABLE' });
    expect(classifySaneExit(0, 'scanimage: rounded value of br-x from 210 to 200\n', 1)).toEqual({ fault: null });
  });
});
