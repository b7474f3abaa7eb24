import { expect, it } from 'vitest';
import { staleClientFiles } from '../../../scripts/generate-client.js';

// CI's guard: an API change must come with the client regenerated from it.
it('the committed OpenAPI document and client types are what the service produces now', async () => {
  const stale = await staleClientFiles();
  expect(
    stale,
    `Out of date: ${stale.join(', ')}. Run npm run client:generate and commit.`,
  ).toEqual([]);
});
