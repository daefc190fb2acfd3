// The location question's map: Leaflet over the council's configured tiles (the page's CSP allows that host only).
// Selecting a point (or Enter on the focused map, for the point in its middle) drops or moves the pin; "Use my
// location" asks the browser for the position only when pressed. The pin's latitude/longitude go into hidden inputs
// the hub turns into easting/northing; the description and nearest street stay usable without it.
/* global L */

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const round7 = (x) => Math.round(x * 1e7) / 1e7;

for (const block of document.querySelectorAll('[data-location-map]')) {
  const id = block.dataset.locationMap;
  const canvas = document.getElementById(`${id}-map`);
  const latInput = document.getElementById(`${id}.latitude`);
  const lngInput = document.getElementById(`${id}.longitude`);
  const status = document.getElementById(`${id}-pin-status`);
  const locate = document.getElementById(`${id}-use-my-location`);
  if (!canvas || !latInput || !lngInput || typeof L === 'undefined') continue;
  block.hidden = false;

  const maxZoom = Number(block.dataset.maxZoom);
  const start = latInput.value && lngInput.value ? [Number(latInput.value), Number(lngInput.value)] : null;
  const map = L.map(canvas, { keyboard: true, attributionControl: true }).setView(
    start ?? [Number(block.dataset.latitude), Number(block.dataset.longitude)],
    Number(block.dataset.zoom),
  );
  map.attributionControl.setPrefix(false);
  // The attribution is config text, shown as text (Leaflet would take it as HTML).
  L.tileLayer(block.dataset.tiles, { maxZoom, attribution: escapeHtml(block.dataset.attribution ?? '') }).addTo(map);

  let marker = null;
  const place = (latlng) => {
    const at = L.latLng(round7(latlng.lat), round7(latlng.lng));
    if (marker) marker.setLatLng(at);
    else {
      marker = L.marker(at, { draggable: true, keyboard: false, title: 'Pin', alt: 'Pin' }).addTo(map);
      marker.on('dragend', () => place(marker.getLatLng()));
    }
    latInput.value = String(at.lat);
    lngInput.value = String(at.lng);
    if (status) status.textContent = `Pin dropped at latitude ${at.lat.toFixed(5)}, longitude ${at.lng.toFixed(5)}.`;
  };
  if (start) place(L.latLng(start[0], start[1]));

  map.on('click', (e) => place(e.latlng));
  canvas.addEventListener('keydown', (e) => {
    if (e.target !== canvas || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    place(map.getCenter());
  });

  if (locate) {
    if (!('geolocation' in navigator)) locate.hidden = true;
    locate.addEventListener('click', () => {
      if (status) status.textContent = 'Finding your location…';
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          const here = L.latLng(pos.coords.latitude, pos.coords.longitude);
          map.setView(here, Math.max(map.getZoom(), Math.min(17, maxZoom)));
          place(here);
        },
        () => {
          if (status) status.textContent = 'Your location could not be found. Select the place on the map, or describe where it is.';
        },
        { enableHighAccuracy: true, timeout: 15000 },
      );
    });
  }
}
