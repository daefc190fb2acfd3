// The static map's maths (core/forms/location/static-map.ts): Web Mercator tile numbers against values worked out by
// hand from the standard slippy-map formulae, and the tiles that cover the window at its edges.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { staticMap, worldPixel, TILE_SIZE } from '../../core/forms/location/static-map.ts';
import type { LocationMap } from '../../core/forms/location/map.ts';

const MAP: LocationMap = { tilesUrl: 'https://tiles.example/{z}/{x}/{y}.png', attribution: '© Tiles', maxZoom: 19, latitude: 0, longitude: 0, zoom: 10 };
/** Big Ben: at z=17, x = (lon+180)/360·2^17 = 65490.62…, y = (1 − asinh(tan φ)/π)/2·2^17 = 43588.70… */
const BIG_BEN = { latitude: 51.5007, longitude: -0.1246 };

function tileOf(url: string): [number, number, number] {
  const m = /\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(url);
  assert.ok(m, url);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

describe('the static map', () => {
  test('world pixels follow the standard formulae', () => {
    assert.deepEqual(worldPixel({ latitude: 0, longitude: 0 }, 0), { x: 128, y: 128 });
    assert.deepEqual(worldPixel({ latitude: 0, longitude: -180 }, 1), { x: 0, y: 256 });
    const p = worldPixel(BIG_BEN, 17);
    assert.equal(Math.floor(p.x / TILE_SIZE), 65490);
    assert.equal(Math.floor(p.y / TILE_SIZE), 43588);
    assert.ok(Math.abs(p.x - 16765602.44) < 0.01 && Math.abs(p.y - 11158708.29) < 0.01, JSON.stringify(p));
    // Past Web Mercator's edge (±85.0511°) the point is clamped to the top of the world, not sent to infinity.
    assert.ok(Math.abs(worldPixel({ latitude: 90, longitude: 0 }, 2).y) < 1e-6);
  });

  test('a 320×200 window at z=17 around Big Ben: the covering tiles, each placed, and the pin in the middle', () => {
    const m = staticMap(MAP, BIG_BEN);
    assert.equal(m.zoom, 17);
    assert.deepEqual([m.width, m.height], [320, 200]);
    // Centre (16765602.44, 11158708.29): left = 16765442, top = 11158608; the window's right edge is pixel 16765761
    // (tile 65491) and its bottom 11158807 (tile 43589), so x tiles 65490..65491 and y tiles 43588..43589.
    assert.deepEqual(
      m.tiles.map((t) => [...tileOf(t.url), t.x, t.y]),
      [
        [17, 65490, 43588, -2, -80],
        [17, 65491, 43588, 254, -80],
        [17, 65490, 43589, -2, 176],
        [17, 65491, 43589, 254, 176],
      ],
    );
    assert.equal(m.tiles[0]!.url, 'https://tiles.example/17/65490/43588.png');
    assert.deepEqual(m.pin, { x: 160.44, y: 100.29 });
    // Every pixel of the window is covered by exactly the tiles listed.
    for (const [px, py] of [
      [0, 0],
      [319, 0],
      [0, 199],
      [319, 199],
      [160, 100],
    ] as const)
      assert.equal(m.tiles.filter((t) => px >= t.x && px < t.x + 256 && py >= t.y && py < t.y + 256).length, 1, `pixel ${px},${py}`);
  });

  test('the zoom is never closer than the tile server has', () => {
    assert.equal(staticMap({ ...MAP, maxZoom: 15 }, BIG_BEN).zoom, 15);
    assert.equal(staticMap({ ...MAP, maxZoom: 22 }, BIG_BEN).zoom, 17);
  });

  test('a window on a tile corner takes four tiles; one across the date line wraps; none above the top of the world', () => {
    // lat 0, lon 0 is the corner of four tiles at every zoom above 0.
    const corner = staticMap(MAP, { latitude: 0, longitude: 0 }, 320, 200);
    assert.deepEqual(
      corner.tiles.map((t) => tileOf(t.url).slice(1)),
      [
        [65535, 65535],
        [65536, 65535],
        [65535, 65536],
        [65536, 65536],
      ],
    );
    assert.deepEqual(
      corner.tiles.map((t) => [t.x, t.y]),
      [
        [-96, -156],
        [160, -156],
        [-96, 100],
        [160, 100],
      ],
    );
    // At z=2, lon 179.9 is world pixel x 1023.7: the window spans 864..1183, tiles 3 and 4 (which is tile 0 again).
    const dateLine = staticMap({ ...MAP, maxZoom: 2 }, { latitude: 0, longitude: 179.9 }, 320, 200);
    assert.deepEqual(
      dateLine.tiles.map((t) => tileOf(t.url)),
      [
        [2, 3, 1],
        [2, 0, 1],
        [2, 3, 2],
        [2, 0, 2],
      ],
    );
    const north = staticMap({ ...MAP, maxZoom: 1 }, { latitude: 85, longitude: 10 }, 320, 200);
    assert.ok(
      north.tiles.every((t) => tileOf(t.url)[2] === 0),
      'no tile row -1',
    );
    assert.ok(north.tiles.length > 0);
  });
});
