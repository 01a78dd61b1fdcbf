import type { ProgrammeCode } from '@antq/contracts';
import type { ProgrammeDefinition } from './programme-definition';

const yes = (code: string, vi: string, en: string) => ({ code, label: { vi, en }, type: 'boolean' as const });
const points = (code: string, vi: string, en: string, maxPoints: number) => ({ code, label: { vi, en }, type: 'points' as const, maxPoints });

/** Cycle of communes and organisations: 16 Nov to 15 Nov (Circular 124/2021/TT-BCA). */
const NOVEMBER_CYCLE = { startMonth: 11, startDay: 16 };

/**
 * The five programmes as first shipped (version 1 of each). Later versions are added as
 * data through the API; this file is what the first migration wrote and does not change.
 */
export const PROGRAMMES_V1: Record<ProgrammeCode, ProgrammeDefinition> = {
  'drug-free': {
    name: { vi: 'Xã, phường, thị trấn không ma túy', en: 'Drug-free' },
    appliesTo: ['commune', 'district', 'province'],
    criteria: {
      '*': [
        yes('no-drug-crime', 'Sạch tội phạm, tệ nạn ma túy', 'No drug crime or drug venues'),
        yes('no-addicts', 'Sạch người nghiện', 'No drug addicts'),
      ],
    },
    scoring: { rule: 'all-criteria' },
    derivation: { kinds: ['district', 'province'], childKinds: ['commune', 'district'], share: 1 },
    cycle: { startMonth: 1, startDay: 1 },
    recognisedBy: 'parent-level',
    note: 'Police verify, the People’s Committee one level up recognises. A district or province is drug-free when all its communes (or districts) are.',
  },
  'safe-security-order': {
    name: { vi: 'Đạt tiêu chuẩn "An toàn về an ninh, trật tự"', en: 'Safe on security and order' },
    appliesTo: ['residential-area', 'commune', 'agency', 'enterprise', 'school'],
    criteria: {
      'residential-area': [
        yes('no-serious-crime', 'Không có tội phạm nghiêm trọng', 'No serious crime'),
        yes('no-complex-incidents', 'Không để xảy ra vụ việc phức tạp', 'No complex incidents'),
        yes('social-evils-curbed', 'Kiềm chế tệ nạn xã hội', 'Social evils curbed'),
        yes('no-traffic-deaths', 'Không có tai nạn giao thông nghiêm trọng', 'No serious traffic accidents'),
        yes('self-governing-model', 'Có mô hình tự quản hoạt động hiệu quả', 'A self-governing model that works'),
      ],
      commune: [
        yes('no-serious-crime', 'Không có tội phạm nghiêm trọng', 'No serious crime'),
        yes('no-complex-incidents', 'Không để xảy ra vụ việc phức tạp', 'No complex incidents'),
        { code: 'safe-residential-share', label: { vi: 'Tỷ lệ khu dân cư đạt chuẩn (%)', en: 'Share of safe residential areas (%)' }, type: 'number', operator: '>=', threshold: 70 },
      ],
      '*': [
        yes('first-quarter-resolution', 'Có nghị quyết, kế hoạch trong quý I', 'A resolution and plan in the first quarter'),
        yes('internal-protection-rules', 'Có nội quy, quy chế bảo vệ cơ quan', 'Internal protection rules'),
        { code: 'staff-briefed-percent', label: { vi: 'Tỷ lệ cán bộ được quán triệt (%)', en: 'Staff briefed (%)' }, type: 'number', operator: '>=', threshold: 100 },
        { code: 'working-models', label: { vi: 'Số mô hình hoạt động hiệu quả', en: 'Working models' }, type: 'number', operator: '>=', threshold: 1 },
      ],
    },
    scoring: { rule: 'all-criteria' },
    cycle: NOVEMBER_CYCLE,
    recognisedBy: 'parent-level',
    note: 'Residential areas are evaluated 1 Nov - 31 Oct in practice; this version keeps one 16 Nov cycle for all kinds.',
  },
  'movement-classification': {
    name: { vi: 'Phân loại phong trào toàn dân bảo vệ ANTQ', en: 'Movement classification' },
    appliesTo: ['residential-area', 'commune', 'district', 'agency', 'enterprise', 'school'],
    criteria: {
      '*': [
        points('resolution-and-plan', 'Nghị quyết, kế hoạch', 'Resolution and plan', 10),
        points('participation', 'Tỷ lệ tham gia (≥ 90%)', 'Participation (>= 90%)', 15),
        points('festival-day', 'Ngày hội toàn dân bảo vệ ANTQ', 'Festival day activities', 15),
        points('models', 'Mô hình, điển hình tiên tiến', 'Models and examples', 20),
        points('security-situation', 'Tình hình an ninh, trật tự', 'Security and order situation', 25),
        points('coordination', 'Phối hợp các lực lượng', 'Coordination of forces', 15),
      ],
    },
    scoring: {
      rule: 'points',
      bands: [
        { grade: 'excellent', label: { vi: 'Xuất sắc', en: 'Excellent' }, minPoints: 90 },
        { grade: 'good', label: { vi: 'Khá', en: 'Good' }, minPoints: 70 },
        { grade: 'average', label: { vi: 'Trung bình', en: 'Average' }, minPoints: 50 },
        { grade: 'weak', label: { vi: 'Yếu', en: 'Weak' }, minPoints: 0 },
      ],
      recognisedFrom: 'average',
    },
    cycle: NOVEMBER_CYCLE,
    recognisedBy: 'parent-level',
    note: 'QĐ 510/QĐ-BCA-V05: self-scored, checked by the level above. Grade cut-offs are data; adjust them in a new version.',
  },
  'model-unit': {
    name: { vi: 'Điển hình, kiểu mẫu về phong trào', en: 'Model unit' },
    appliesTo: ['commune', 'agency', 'enterprise', 'school'],
    criteria: {
      '*': [
        yes('safe-security-order', 'Đạt chuẩn an toàn về ANTT', 'Safe on security and order'),
        yes('movement-excellent', 'Phong trào xếp loại xuất sắc', 'Movement graded excellent'),
        yes('replicable-model', 'Có mô hình được nhân rộng', 'A model others adopted'),
        yes('no-violations', 'Không có cán bộ vi phạm pháp luật', 'No staff breaking the law'),
      ],
    },
    scoring: { rule: 'all-criteria' },
    cycle: NOVEMBER_CYCLE,
    recognisedBy: 'parent-level',
    note: 'Provisional criteria sets of QĐ 9745/QĐ-BCA-V05 (2022).',
  },
  'key-complex-area': {
    name: { vi: 'Địa bàn trọng điểm phức tạp về ANTT', en: 'Key complex area' },
    appliesTo: ['commune', 'residential-area'],
    criteria: {
      '*': [
        yes('crime-reduced', 'Tội phạm giảm rõ rệt', 'Crime clearly reduced'),
        yes('hotspots-cleared', 'Xóa các tụ điểm phức tạp', 'Hot spots cleared'),
        yes('no-mass-incidents', 'Không có điểm nóng, khiếu kiện đông người', 'No mass incidents'),
        yes('movement-strengthened', 'Phong trào được củng cố', 'Movement strengthened'),
      ],
    },
    scoring: { rule: 'all-criteria' },
    cycle: { startMonth: 1, startDay: 1 },
    recognisedBy: 'parent-level',
    note: 'Designated by a yearly decision; recognising the transformation moves the area to transformed, then followed up, then removed. Not transformed by the cycle end: carried into the next year.',
  },
};
