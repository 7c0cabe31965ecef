// Household-card QR scanning with the camera through BarcodeDetector (Chrome on Android); where the browser has
// no detector or no camera, the worker types the code printed under the QR.

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
