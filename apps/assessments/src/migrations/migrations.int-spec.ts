import { schemaAfter } from '@antq/testing';
import { ASSESSMENTS } from '../service.definition';
import { PublishedProgrammes1764100023000 } from './1764100023000-published-programmes';

it('ships version 3 of safe-security-order on version 2, and leaves a programme that has had a version added since as it is', async () => {
  for (const addedSince of [false, true]) {
    const earlier = await schemaAfter(ASSESSMENTS, PublishedProgrammes1764100023000);
    try {
      if (addedSince) {
        await earlier.db.query(
          `INSERT INTO programme_versions (programme, version, valid_from, definition, created_by)
           SELECT programme, 3, '2026-06-01', definition, 'ca-a/ops' FROM programme_versions WHERE programme = 'safe-security-order' AND version = 2`,
        );
      }
      expect(await earlier.migrateRest()).toEqual(['BoundedNumberCriteria1764100027000']);
      const versions = (await earlier.db.query(
        `SELECT version, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", created_by AS "createdBy" FROM programme_versions WHERE programme = 'safe-security-order' ORDER BY version`,
      )) as { version: number; validFrom: string; createdBy: string }[];
      expect({ addedSince, latest: versions.at(-1) }).toEqual({
        addedSince,
        latest: addedSince ? { version: 3, validFrom: '2026-06-01', createdBy: 'ca-a/ops' } : { version: 3, validFrom: '2026-11-01', createdBy: 'seed-v3' },
      });
      expect(versions).toHaveLength(3);
    } finally {
      await earlier.drop();
    }
  }
});
