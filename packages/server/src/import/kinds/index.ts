/**
 * The import kinds by name. A new kind is one file implementing
 * `ImportKind` and one line here; the CLI's help and the service pick it up from this table.
 */
import type { ImportKindName } from '../types.ts';
import { addresses } from './addresses.ts';
import { communities, districts, streets } from './areas.ts';
import { roads, water } from './basemap.ts';
import { components } from './components.ts';
import { devices } from './devices.ts';
import { dutyGrids } from './duty-grids.ts';
import type { ImportKind } from './kind.ts';
import { unitGrids } from './unit-grids.ts';

export const importKinds: Record<ImportKindName, ImportKind<unknown>> = {
  districts,
  streets,
  communities,
  'unit-grids': unitGrids,
  'duty-grids': dutyGrids,
  components,
  addresses,
  devices,
  roads,
  water,
};
