// Household-card QR scanning with the camera through BarcodeDetector (Chrome on Android); where the browser has
// no detector or no camera (iOS Safari, Firefox), the worker types the code printed under the QR.

// The code under the QR: 10 letters of Crockford's base32 (beneficiaries/validators.py, card_code_normalise).
const CARD_CODE = /^[0-9A-HJKMNP-TV-Z]{10}$/;
const CONFUSED = { O: '0', I: '1', L: '1' };

export async function canScan() {
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return false;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    return formats.includes('qr_code');
  } catch (error) {
    return false;
  }
}

/** Starts the camera into `video`; calls onCode(text) once; returns a stop() function. */
export async function start(video, onCode) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
  let stopped = false;
  video.srcObject = stream;
  await video.play();
  const stop = () => {
    stopped = true;
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  };
  const tick = async () => {
    if (stopped) return;
    try {
      const codes = await detector.detect(video);
      if (codes.length && codes[0].rawValue) {
        stop();
        onCode(codes[0].rawValue);
        return;
      }
    } catch (error) {
      // a frame that could not be read: try the next one
    }
    setTimeout(tick, 250);
  };
  tick();
  return stop;
}

/** The card's QR holds only the card token; accept a URL ending in it, or ?token=…, as well. */
export function tokenFrom(text) {
  const value = (text || '').trim();
  if (!value) return '';
  try {
    const url = new URL(value);
    return url.searchParams.get('token') || url.pathname.split('/').filter(Boolean).pop() || '';
  } catch (error) {
    return value;
  }
}

/** The stored form of a typed card code, or '' when the text cannot be one: case, spaces, dots and dashes do
 * not matter, and O is read as 0, I and L as 1 (as the server reads it). */
export function cardCodeFrom(text) {
  const code = (text || '').toUpperCase().replace(/[\s.-]/g, '').replace(/[OIL]/g, (c) => CONFUSED[c]);
  return CARD_CODE.test(code) ? code : '';
}

/** Typed text that is meant as a card code but is not one (too short, too long by a letter or two, a U). */
export function looksLikeCardCode(text) {
  const code = (text || '').toUpperCase().replace(/[\s.-]/g, '');
  return code.length >= 6 && code.length <= 12 && /^[0-9A-Z]+$/.test(code);
}
