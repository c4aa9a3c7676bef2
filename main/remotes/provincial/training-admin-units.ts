import type { AdministrativeUnit } from './provincial.port';

/**
 * Administrative units the provincial twin serves in training mode and tests: a few provinces of
 * the 34 and some communes, shaped like the real list (2-digit province codes, 5-digit commune
 * codes since 2025-07-01). Training data, not the official list.
 */
export const TRAINING_ADMINISTRATIVE_UNITS: readonly AdministrativeUnit[] = [
  {
    code: '01',
    name: 'Thành phố Hà Nội',
    level: 'province',
    provinceCode: null,
    effectiveFrom: '2025-07-01',
    abolishedFrom: null,
  },
  {
    code: '79',
    name: 'Thành phố Hồ Chí Minh',
    level: 'province',
    provinceCode: null,
    effectiveFrom: '2025-07-01',
    abolishedFrom: null,
  },
  {
    code: '48',
    name: 'Thành phố Đà Nẵng',
    level: 'province',
    provinceCode: null,
    effectiveFrom: '2025-07-01',
    abolishedFrom: null,
  },
  {
    code: '00004',
    name: 'Phường Ba Đình',
    level: 'commune',
    provinceCode: '01',
    effectiveFrom: '2025-07-01',
    abolishedFrom: null,
  },
  {
    code: '00070',
    name: 'Phường Hoàn Kiếm',
    level: 'commune',
    provinceCode: '01',
    effectiveFrom: '2025-07-01',
    abolishedFrom: null,
  },
  {
    code: '26734',
    name: 'Phường Sài Gòn',
    level: 'commune',
    provinceCode: '79',
    effectiveFrom: '2025-07-01',
    abolishedFrom: null,
  },
  {
    code: '20194',
    name: 'Phường Hải Châu',
    level: 'commune',
    provinceCode: '48',
    effectiveFrom: '2025-07-01',
    abolishedFrom: null,
  },
];
