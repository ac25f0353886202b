import type { LngLat } from 'maplibre-gl';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, type paths, unwrap } from '../api/client.ts';

export type LocateResult =
  paths['/api/v1/geo/locate']['get']['responses'][200]['content']['application/json'];

export type LocateState =
  | { status: 'idle' }
  | { status: 'loading'; lngLat: LngLat }
  | { status: 'done'; lngLat: LngLat; result: LocateResult }
  | { status: 'outside'; lngLat: LngLat }
  /** The session ended on the way: asked again after the user logs in again. */
  | { status: 'unauthorized'; lngLat: LngLat }
  | { status: 'error'; lngLat: LngLat; message: string };

/** Point → district, street, community, unit grid and duty grid, through GET /api/v1/geo/locate. */
export function useLocate() {
  const [state, setState] = useState<LocateState>({ status: 'idle' });
  const inFlight = useRef<AbortController | null>(null);

  const locate = useCallback(async (lngLat: LngLat) => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setState({ status: 'loading', lngLat });
    try {
      const result = await unwrap(
        api.GET('/api/v1/geo/locate', {
          params: { query: { lng: lngLat.lng, lat: lngLat.lat, crs: 'wgs84' } },
          signal: controller.signal,
        }),
      );
      if (!controller.signal.aborted) setState({ status: 'done', lngLat, result });
    } catch (e) {
      if (controller.signal.aborted) return;
      if (e instanceof ApiError && e.code === 'outside_city') setState({ status: 'outside', lngLat });
      else if (e instanceof ApiError && e.status === 401) setState({ status: 'unauthorized', lngLat });
      else setState({ status: 'error', lngLat, message: e instanceof Error ? e.message : String(e) });
    }
  }, []);

  const clear = useCallback(() => {
    inFlight.current?.abort();
    setState({ status: 'idle' });
  }, []);

  useEffect(() => () => inFlight.current?.abort(), []);

  return { state, locate, clear };
}
