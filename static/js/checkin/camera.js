// Camera scanning with @zxing/browser (vendored UMD build: globalThis.ZXingBrowser), decoding
// in JavaScript so it works where the browser has no BarcodeDetector.
// Front/back switch by facingMode (or by cycling the devices when facingMode is ignored),
// torch through the track's "torch" constraint where the device offers it.
// The library (about 440 KB, most of the page's weight) is loaded when the camera is first
// started: a station that scans with a handheld scanner never needs it. The service worker
// keeps it, so the camera also starts offline.

const REPEAT_MS = 3000; // the same code seen again by the camera within this time is ignored

let libraryLoading = null;

/** globalThis.ZXingBrowser, after adding the library's <script> to the page once. */
export function loadLibrary(url) {
  if (globalThis.ZXingBrowser) return Promise.resolve(globalThis.ZXingBrowser);
  if (!url) return Promise.reject(new Error("no camera library"));
  if (!libraryLoading) {
    libraryLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.addEventListener("load", () => (globalThis.ZXingBrowser
        ? resolve(globalThis.ZXingBrowser) : reject(new Error("camera library is empty"))));
      script.addEventListener("error", () => {
        script.remove();
        reject(new Error("camera library not loaded"));
      });
      document.head.append(script);
    }).catch((error) => {
      libraryLoading = null; // a later tap tries again (the network may be back)
      throw error;
    });
  }
  return libraryLoading;
}

export function createCamera(video, { onCode, onError = () => {}, libraryUrl = null } = {}) {
  let ZXing = null;
  let controls = null;
  let stream = null;
  let facing = "environment";
  let deviceIndex = -1;
  let torchOn = false;
  let last = { code: "", at: 0 };

  function track() {
    return stream ? stream.getVideoTracks()[0] || null : null;
  }

  function torchSupported() {
    const current = track();
    if (!current || typeof current.getCapabilities !== "function") return false;
    return Boolean(current.getCapabilities().torch);
  }

  async function open(constraints) {
    stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: constraints });
    const reader = new ZXing.BrowserQRCodeReader(undefined, {
      delayBetweenScanAttempts: 120,
      delayBetweenScanSuccess: 300,
    });
    controls = await reader.decodeFromStream(stream, video, (result) => {
      if (!result) return;
      const code = result.getText();
      const now = Date.now();
      if (code === last.code && now - last.at < REPEAT_MS) return;
      last = { code, at: now };
      onCode(code);
    });
  }

  async function stop() {
    if (controls) controls.stop();
    controls = null;
    if (stream) for (const t of stream.getTracks()) t.stop();
    stream = null;
    torchOn = false;
  }

  async function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      const error = new Error("camera unavailable");
      onError(error);
      throw error;
    }
    try {
      ZXing = await loadLibrary(libraryUrl);
    } catch (error) {
      onError(error);
      throw error;
    }
    await stop();
    try {
      await open(deviceIndex >= 0 ? { deviceId: { exact: await deviceIdAt(deviceIndex) } }
        : { facingMode: { ideal: facing }, width: { ideal: 1280 }, height: { ideal: 720 } });
    } catch (error) {
      await stop();
      onError(error);
      throw error;
    }
  }

  async function videoDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
    return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
  }

  async function deviceIdAt(index) {
    const devices = await videoDevices();
    return devices.length ? devices[index % devices.length].deviceId : undefined;
  }

  async function cameraCount() {
    return (await videoDevices()).length;
  }

  return {
    start,
    stop,
    cameraCount,
    torchSupported,
    get running() {
      return controls !== null;
    },
    get facing() {
      return facing;
    },
    async switchCamera() {
      const before = track() && track().getSettings ? track().getSettings().deviceId : null;
      facing = facing === "environment" ? "user" : "environment";
      await start();
      const after = track() && track().getSettings ? track().getSettings().deviceId : null;
      const devices = await videoDevices();
      if (before && after === before && devices.length > 1) {
        // facingMode was not honoured (e.g. desktop webcams): go to the next device.
        deviceIndex = (devices.findIndex((d) => d.deviceId === before) + 1) % devices.length;
        await start();
      }
    },
    async toggleTorch() {
      const current = track();
      if (!current || !torchSupported()) return false;
      torchOn = !torchOn;
      await current.applyConstraints({ advanced: [{ torch: torchOn }] });
      return torchOn;
    },
  };
}
