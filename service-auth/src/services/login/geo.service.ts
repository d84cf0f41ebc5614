import { isIP } from "node:net";
import { MmdbReader } from "./mmdb-reader.ts";

/** Where a request comes from, as far as an offline database or a trusted proxy says. */
export interface GeoLocation {
  country: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** `GB, London` — the audit log's `geoLocation`. */
export const geoLabel = (g: GeoLocation | null | undefined) =>
  g ? [g.country, g.city].filter(Boolean).join(", ") || null : null;

interface CityRecord {
  country_code?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  country?: { iso_code?: string };
  location?: { latitude?: number; longitude?: number };
  [key: string]: unknown;
}

/**
 * Offline IP geolocation from MaxMind-format databases (DB-IP city lite from the npm registry,
 * or GeoLite2-City). Nothing leaves the process. The files open at the first lookup, one reader
 * per address family, and are read where a lookup leads (mmdb-reader.ts: positioned reads, a
 * small page cache) instead of being held in memory (~65 MB per address family).
 */
export class GeoLocator {
  private readers: MmdbReader[] | null = null;

  constructor(private readonly paths: string[]) {}

  get enabled(): boolean {
    return this.paths.length > 0;
  }

  async lookup(ip: string): Promise<GeoLocation | null> {
    if (!this.enabled || isIP(ip) === 0) return null;
    this.readers ??= this.paths.map((p) => new MmdbReader(p));
    for (const reader of this.readers) {
      // null for an IPv6 address against an IPv4-only database: the next file answers it.
      const record = reader.get(ip) as CityRecord | null;
      if (!record) continue;
      return {
        country: record.country_code ?? record.country?.iso_code ?? null,
        city: typeof record.city === "string" ? record.city : null,
        latitude: record.latitude ?? record.location?.latitude ?? null,
        longitude: record.longitude ?? record.location?.longitude ?? null,
      };
    }
    return null;
  }
}

/** Great-circle distance in km (haversine). */
export function distanceKm(a: GeoLocation, b: GeoLocation): number | null {
  if (a.latitude === null || a.longitude === null || b.latitude === null || b.longitude === null) return null;
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Geolocation a trusted proxy (Cloudflare's visitor-location headers) put on the request; only
 * read when the TCP peer is a trusted proxy.
 */
export function geoFromProxyHeaders(header: (name: string) => string | undefined): GeoLocation | null {
  const country = header("cf-ipcountry");
  const lat = Number.parseFloat(header("cf-iplatitude") ?? "");
  const lon = Number.parseFloat(header("cf-iplongitude") ?? "");
  if (!country && Number.isNaN(lat)) return null;
  return {
    country: country && /^[A-Z]{2}$/.test(country) ? country : null,
    city: header("cf-ipcity")?.slice(0, 64) ?? null,
    latitude: Number.isFinite(lat) && Math.abs(lat) <= 90 ? lat : null,
    longitude: Number.isFinite(lon) && Math.abs(lon) <= 180 ? lon : null,
  };
}
