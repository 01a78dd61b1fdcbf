import { definitionProblems } from './programme-definition';
import { PROGRAMMES_V1 } from './programmes-v1';
import { PROGRAMMES_V2 } from './programmes-v2';
import { PROGRAMMES_V3 } from './programmes-v3';

const label = { vi: 'Tiêu chí', en: 'Criterion' };
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('programme definitions', () => {
  it('accepts every programme that ships with the platform', () => {
    for (const [code, definition] of Object.entries(PROGRAMMES_V1)) expect({ code, problems: definitionProblems(copy(definition)) }).toEqual({ code, problems: [] });
    for (const [code, { definition }] of Object.entries({ ...PROGRAMMES_V2, ...PROGRAMMES_V3 })) expect({ code, problems: definitionProblems(copy(definition)) }).toEqual({ code, problems: [] });
  });

  it('says a definition that is not an object must be one', () => {
    for (const raw of ['x', [], null, 3]) expect(definitionProblems(raw)).toEqual(['definition must be an object (a programme definition, see GET /programmes)']);
  });

  it('names a malformed list of kinds, and checks nothing that reads it', () => {
    for (const appliesTo of [3, 'commune', null]) {
      const definition = { ...copy(PROGRAMMES_V2['movement-classification']!.definition), appliesTo };
      expect(definitionProblems(definition)).toEqual(expect.arrayContaining([expect.stringMatching(/^appliesTo: /)]));
    }
  });

  it('refuses a list where an object belongs (name, scoring, derivation, cycle), which would be stored and break its readers', () => {
    const shapes = { name: '{ vi, en }', scoring: '{ rule, ... }', derivation: '{ kinds, childKinds, share }', cycle: '{ startMonth, startDay }' };
    for (const [field, shape] of Object.entries(shapes)) {
      const definition = { ...copy(PROGRAMMES_V1['drug-free']), [field]: [] };
      expect({ field, problems: definitionProblems(definition) }).toEqual({ field, problems: expect.arrayContaining([`${field}: ${field} must be an object ${shape}, not a list`]) });
    }
    // A points programme with a list for its scoring would be scored as "all criteria".
    const points = { ...copy(PROGRAMMES_V1['movement-classification']), scoring: [] };
    expect(definitionProblems(points)).toEqual(expect.arrayContaining(['scoring: scoring must be an object { rule, ... }, not a list']));
    const missing = copy(PROGRAMMES_V1['drug-free']) as unknown as Record<string, unknown>;
    delete missing['cycle'];
    expect(definitionProblems(missing)).toEqual(['cycle: cycle is required: { startMonth, startDay }']);
  });

  it('refuses a list for the label of a criterion or a grade band', () => {
    const definition = copy(PROGRAMMES_V1['movement-classification']) as unknown as { criteria: Record<string, { label: unknown }[]>; scoring: { bands: { label: unknown }[] } };
    definition.criteria['*'][0].label = [];
    definition.scoring.bands[1].label = [];
    expect(definitionProblems(definition)).toEqual([
      'scoring.bands.1.label: label must be an object { vi, en }, not a list',
      'criteria.*[0].label: label must be an object { vi, en }, not a list',
    ]);
    definition.criteria['*'][0].label = { vi: '  ', en: 'Resolution' };
    definition.scoring.bands[1].label = { vi: 'Khá', en: '' };
    expect(definitionProblems(definition)).toEqual(['scoring.bands.1.label.en: en must not be blank', 'criteria.*[0].label.vi: vi must not be blank']);
  });

  it('names derived kinds given as something other than a list, rather than failing on them', () => {
    for (const kinds of [{}, 'district']) {
      const definition = copy(PROGRAMMES_V1['drug-free']) as unknown as { derivation: { kinds: unknown } };
      definition.derivation.kinds = kinds;
      expect(definitionProblems(definition)).toEqual(expect.arrayContaining([expect.stringMatching(/^derivation\.kinds: kinds must be an array/)]));
    }
  });

  it('checks each criterion: its type, a code unique in its list, numbers where its type needs them', () => {
    const definition = copy(PROGRAMMES_V1['drug-free']) as unknown as { criteria: Record<string, unknown[]> };
    definition.criteria['*'] = [
      { code: 'no-addicts', label, type: 'boolean' },
      { code: 'no-addicts', label, type: 'boolean' },
      { code: 'ufo', label, type: 'maybe' },
      { code: 'rate', label, type: 'number', operator: '<=', threshold: 'low' },
      { code: 'share', label, type: 'number' },
      { label, type: 'boolean' },
      'no-crime',
    ];
    const problems = definitionProblems(definition);
    expect(problems).toEqual(
      expect.arrayContaining([
        'criteria.*[1].code: "no-addicts" appears twice in the list',
        expect.stringMatching(/^criteria\.\*\[2\]\.type: type must be one of the following values: boolean, number, points/),
        expect.stringMatching(/^criteria\.\*\[3\]\.threshold: threshold must be a number/),
        'criteria.*[4]: a number criterion needs operator and threshold',
        expect.stringMatching(/^criteria\.\*\[5\]\.code: /),
        'criteria.*[6]: must be a criterion (code, label, type)',
      ]),
    );
  });

  it('bounds only number criteria, the lower bound below the upper and the threshold between them', () => {
    const definition = copy(PROGRAMMES_V1['drug-free']) as unknown as { criteria: Record<string, unknown[]> };
    definition.criteria['*'] = [
      { code: 'share', label, type: 'number', operator: '>=', threshold: 70, min: 0, max: 100 },
      { code: 'inverted', label, type: 'number', operator: '>=', threshold: 5, min: 10, max: 1 },
      { code: 'unreachable', label, type: 'number', operator: '>=', threshold: 120, max: 100 },
      { code: 'below', label, type: 'number', operator: '<=', threshold: -1, min: 0 },
      { code: 'yes', label, type: 'boolean', min: 0 },
      { code: 'words', label, type: 'number', operator: '>=', threshold: 1, min: 'none' },
    ];
    expect(definitionProblems(definition)).toEqual([
      'criteria.*[1]: min 10 is above max 1',
      'criteria.*[1]: threshold 5 lies outside 10..1',
      'criteria.*[2]: threshold 120 lies outside -∞..100',
      'criteria.*[3]: threshold -1 lies outside 0..∞',
      'criteria.*[4]: only a number criterion takes min and max',
      expect.stringMatching(/^criteria\.\*\[5\]\.min: min must be a number/),
    ]);
  });

  it('needs a list for every kind assessed by hand, since none would meet "all criteria" at once', () => {
    const definition = copy(PROGRAMMES_V1['safe-security-order']) as unknown as { criteria: Record<string, unknown[]>; appliesTo: string[] };
    // Agencies, enterprises and schools share the "*" list; residential areas and communes have their own.
    delete definition.criteria['*'];
    expect(definitionProblems(definition)).toEqual(
      ['agency', 'enterprise', 'school'].map((kind) => `criteria: no list for ${kind} (nor a "*" list), and a ${kind} is assessed by hand`),
    );
    // Derived kinds are never assessed by hand: drug-free's districts need no list.
    const derived = copy(PROGRAMMES_V1['drug-free']) as unknown as { criteria: Record<string, unknown[]> };
    derived.criteria = { commune: derived.criteria['*'] };
    expect(definitionProblems(derived)).toEqual([]);
  });

  it('needs the grade recognition starts from to be one of the bands', () => {
    const definition = copy(PROGRAMMES_V1['movement-classification']) as unknown as { scoring: { recognisedFrom?: string } };
    definition.scoring.recognisedFrom = 'outstanding';
    expect(definitionProblems(definition)).toEqual([expect.stringMatching(/^scoring\.recognisedFrom: "outstanding" is not one of the grade bands \(excellent, good, average, weak\)/)]);
    delete definition.scoring.recognisedFrom;
    expect(definitionProblems(definition)).toEqual([expect.stringMatching(/^scoring\.recognisedFrom: points scoring must name/)]);
  });

  it('takes per-kind cycles and deadlines only for kinds the programme applies to, on days every year has', () => {
    const definition = copy(PROGRAMMES_V2['movement-classification']!.definition) as unknown as Record<string, unknown>;
    definition['cycleByKind'] = {
      'residential-area': { startMonth: 11, startDay: 1 },
      province: { startMonth: 1, startDay: 1 },
      school: { startMonth: 9, startDay: 31 },
      agency: { startMonth: 13, startDay: 1, endDay: 3 },
      enterprise: 'November',
    };
    definition['deadlines'] = {
      '*': { month: 11, day: 30 },
      'residential-area': { month: 2, day: 29 },
      commune: { month: 4, day: 31 },
      province: { month: 12, day: 15 },
      district: { month: 12 },
    };
    expect(definitionProblems(definition)).toEqual([
      'cycleByKind.province: the programme does not apply to province (it applies to residential-area, commune, district, agency, enterprise, school, or "*" for every kind)',
      'cycleByKind.school: month 9 has no day 31 (it has 30)',
      expect.stringMatching(/^cycleByKind\.agency\.endDay: property endDay should not exist/),
      expect.stringMatching(/^cycleByKind\.agency\.startMonth: startMonth must not be greater than 12/),
      'cycleByKind.enterprise: must be a cycle (startMonth, startDay)',
      'deadlines.residential-area: 29 February is not in every year; use 28 February or 1 March',
      'deadlines.commune: month 4 has no day 31 (it has 30)',
      'deadlines.province: the programme does not apply to province (it applies to residential-area, commune, district, agency, enterprise, school, or "*" for every kind)',
      ...['greater than 31', 'less than 1', 'an integer'].map((check) => expect.stringMatching(new RegExp(`^deadlines\\.district\\.day: day must (not )?be ${check}`))),
    ]);
  });

  it('gives no deadline to a kind whose status is derived, and checks the programme cycle too', () => {
    const definition = copy(PROGRAMMES_V1['drug-free']) as unknown as Record<string, unknown>;
    definition['deadlines'] = { district: { month: 1, day: 31 }, commune: { month: 1, day: 31 } };
    definition['cycle'] = { startMonth: 6, startDay: 31 };
    definition['cycleByKind'] = [];
    expect(definitionProblems(definition)).toEqual([
      expect.stringMatching(/^cycleByKind: cycleByKind must be an object/),
      'cycle: month 6 has no day 31 (it has 30)',
      "deadlines.district: a district's status is derived, never assessed by hand, so it has no deadline",
    ]);
  });
});
