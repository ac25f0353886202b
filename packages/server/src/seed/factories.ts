/**
 * The factories demo data and tests share (STYLE: "Test data and demo data come from the same
 * factories"). Each takes a `Queryable` so a caller can run several in one transaction.
 */
export {
  type AreaInput,
  type CommunitySpec,
  communitySpecs,
  insertAreas,
  makeCity,
  makeCommunities,
  makeStreets,
  partitionStreets,
  syntheticStreetGeometry,
} from './areas.factory.ts';
export { componentSequences, makeComponents, ownerSlug } from './components.factory.ts';
export { type Cell, overlayPrecision, voronoiSplit } from './geometry.ts';
export { type DutyGridResult, inspectorsFor, makeDutyGrids, makeUnitGrids } from './grids.factory.ts';
export { makeGridLayer, makePoliceGrids, policeLayer, reconcileLayer } from './layers.ts';
export {
  cityDepartments,
  type DepartmentSpec,
  demoPassword,
  departmentCode,
  districtDepartments,
  makeDepartments,
  makeUser,
  makeUsers,
  streetCentre,
  type UserSpec,
} from './org.factory.ts';
export { readSharedData, type SharedData } from './shared-data.ts';
export { type CityCounts, cityCounts, cityIsEmpty, clearCity, seedSession } from './state.ts';
