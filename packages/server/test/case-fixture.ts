// The loop tests' city comes from the same factory as the benchmarks'.
export { makeLoopCity, square } from '../src/seed/loop-city.factory.ts';
