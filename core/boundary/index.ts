// Councils' boundaries (issue 19): which council's area holds a place, who to contact when none of the hub's does, and
// the check a submission passes. Other code imports only this.
export { Boundaries, councilForPoint, type Point, type Neighbour, type Whereabouts } from './boundaries.ts';
export { loadBoundaries } from './load.ts';
export { MAX_BOUNDARY_BYTES, parseBoundary, readBoundaryFile, BoundaryFileError, type Area } from './geojson.ts';
export {
  placeSubmission,
  outsideArea,
  outsideAreaHeading,
  outsideAreaMessage,
  placeOfAnswers,
  OutsideAreaError,
  type OutsideArea,
  type PlacementHost,
} from './placement.ts';
export { routingProblems } from './routing-check.ts';
export { whereOf, type Where } from './where.ts';
