import { ApiClient } from './http-client';
import { testToken } from './test-env';

/**
 * Units created through the registry's API for a test run: codes made unique to the run,
 * parents named by their test code, ids remembered by test code.
 */
export class UnitFixtures {
  readonly ids: Record<string, string> = {};
  private readonly admin: ApiClient;

  constructor(
    registryUrl: string,
    private readonly runId: string,
  ) {
    // Fixtures start from provinces, which only an admin may create.
    this.admin = new ApiClient(registryUrl, testToken('ca-nghe-an', ['admin']));
  }

  /** Creates a unit and returns its id; fails loudly when the registry refuses it. */
  async add(code: string, kind: string, parent?: string, options: { name?: string; effectiveFrom?: string } = {}): Promise<string> {
    const response = await this.admin.post('/units', {
      code: `${this.runId}-${code}`,
      name: options.name ?? code,
      kind,
      parentId: parent && this.ids[parent],
      effectiveFrom: options.effectiveFrom ?? '2020-01-01',
    });
    if (response.status !== 201) throw new Error(`Creating unit ${code}: ${response.status} ${JSON.stringify(response.body)}`);
    this.ids[code] = response.body.id as string;
    return this.ids[code];
  }
}
