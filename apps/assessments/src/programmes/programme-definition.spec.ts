import { definitionProblems } from './programme-definition';
import { PROGRAMMES_V1 } from './programmes-v1';

const label = { vi: 'Tiêu chí', en: 'Criterion' };
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('programme definitions', () => {
  it('accepts every programme that ships with the platform', () => {
    for (const [code, definition] of Object.entries(PROGRAMMES_V1)) expect({ code, problems: definitionProblems(copy(definition)) }).toEqual({ code, problems: [] });
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
});
