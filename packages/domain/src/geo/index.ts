export * from './crs.ts';
export * from './geometry.ts';
export * from './locator.ts';
export * from './pip.ts';
export * from './polygon-index.ts';
export * from './synthetic.ts';
export * from './tile-shift.ts';
export * from './wkb.ts';
