// Distinct answer sounds made with WebAudio (no sound files): one bright beep for "welcome",
// two middle beeps for "already checked in", a low buzz for "refused".

const PATTERNS = {
  green: [{ freq: 1320, start: 0, length: 0.12, type: "sine" }],
  yellow: [
    { freq: 660, start: 0, length: 0.1, type: "triangle" },
    { freq: 660, start: 0.16, length: 0.1, type: "triangle" },
  ],
  red: [{ freq: 180, start: 0, length: 0.45, type: "square" }],
};

export function createSounds() {
  let context = null;

  function ensureContext() {
    const AudioContextClass = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!AudioContextClass) return null;
    if (!context) context = new AudioContextClass();
    if (context.state === "suspended") context.resume().catch(() => {});
    return context;
  }

  // Browsers only start audio after a user gesture: unlock on the first tap or key.
  const unlock = () => ensureContext();
  globalThis.addEventListener("pointerdown", unlock, { once: true, capture: true });
  globalThis.addEventListener("keydown", unlock, { once: true, capture: true });

  return {
    play(colour) {
      const audio = ensureContext();
      const pattern = PATTERNS[colour];
      if (!audio || !pattern) return false;
      const t0 = audio.currentTime + 0.01;
      for (const tone of pattern) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = tone.type;
        oscillator.frequency.value = tone.freq;
        gain.gain.setValueAtTime(0.0001, t0 + tone.start);
        gain.gain.exponentialRampToValueAtTime(0.3, t0 + tone.start + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + tone.start + tone.length);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(t0 + tone.start);
        oscillator.stop(t0 + tone.start + tone.length + 0.02);
      }
      return true;
    },
  };
}
