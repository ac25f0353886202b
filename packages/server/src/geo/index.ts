export { type TileLayer, type TileMode, tileLayers, tilesRepository } from '../tiles/tiles.repository.ts';
export { type TilesService, tilesService } from '../tiles/tiles.service.ts';
export { createGeo, type Geo } from './geo.module.ts';
export { type GeoRepository, geoRepository, type LoadedModel } from './geo.repository.ts';
export { type GeoService, type GeoStatus, geoService, type LocateAnswer } from './geo.service.ts';
export { addedColumns, GeocodeCsvError, type GeocodeCsvReport, geocodeCsv } from './geocode.csv.ts';
export { type Candidate, type GeocodeService, geocodeService } from './geocode.service.ts';
export { multiPolygonEwkt, writeSyntheticCity } from './synthetic.loader.ts';
