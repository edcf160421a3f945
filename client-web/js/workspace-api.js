/**
 * The HTTP calls of the secretariat's workspace: creating a room (`POST /api/rooms`) and the
 * table of countries and regions a scope may name (`GET /api/geo`, fetched once).
 */

import { ApiError, getJson } from './api.js';

/**
 * Creates a room.
 * @param {string} token the secretariat's bearer token
 * @param {object} spec `{id?, kind, title, description, languages, scope}`
 * @returns {Promise<object>} the new room's summary
 */
export async function createRoom(token, spec) {
  let response;
  try {
    response = await fetch('/api/rooms', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(spec),
    });
  } catch (error) {
    throw new ApiError(0, 'network', String(error.message || error));
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, body?.error?.code || 'internal', body?.error?.message || response.statusText);
  }
  return body;
}

/** @type {Promise<object>|null} */
let geoTable = null;

/**
 * The countries (with their UN group and M49 areas), M49 areas and UN groups; fetched once.
 * @param {string} token
 * @returns {Promise<{countries: Array<{code: string, un_group?: string, areas: string[]}>, areas: Array<{code: string, parent?: string}>, groups: string[]}>}
 */
export function geo(token) {
  if (!geoTable) {
    geoTable = getJson(token, '/api/geo').catch((error) => {
      geoTable = null;
      throw error;
    });
  }
  return geoTable;
}

/**
 * Whether scope `inner` lies strictly within scope `outer`, as the server decides it for a
 * parent consultation (the server has the last word; this only narrows a picker).
 * @param {object} inner a scope
 * @param {object} outer a scope
 * @param {object} table the geo table
 * @returns {boolean}
 */
export function scopeWithin(inner, outer, table) {
  if (outer.level === 'global') return inner.level !== 'global';
  if (outer.level === 'country') return false;
  if (inner.level === 'country') {
    const country = table.countries.find((c) => c.code === inner.country);
    return !!country && (country.un_group === outer.region || country.areas.includes(outer.region));
  }
  if (inner.level === 'region') {
    if (inner.region === outer.region || table.groups.includes(inner.region)) return outer.region === '001' && inner.region !== '001';
    let area = table.areas.find((a) => a.code === inner.region);
    while (area?.parent) {
      if (area.parent === outer.region) return true;
      area = table.areas.find((a) => a.code === area.parent);
    }
  }
  return false;
}
