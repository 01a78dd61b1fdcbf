import { BadRequestException } from '@nestjs/common';
import { ParseIdPipe } from './parse-id.pipe';

describe('ParseIdPipe', () => {
  const pipe = new ParseIdPipe();

  it('takes a UUID in lower case, whatever case it came in', async () => {
    await expect(pipe.transform('7C9E6679-7425-40DE-944B-E07FC1F90AE7', { type: 'param', data: 'id' })).resolves.toBe('7c9e6679-7425-40de-944b-e07fc1f90ae7');
  });

  it('refuses anything else with a 400 naming the parameter, where a route takes two ids', async () => {
    const refused = pipe.transform('not-an-id', { type: 'param', data: 'targetId' });
    await expect(refused).rejects.toBeInstanceOf(BadRequestException);
    await expect(refused).rejects.toThrow('targetId must be a UUID, not "not-an-id"');
  });
});
