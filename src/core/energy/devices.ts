// Device profiles for local inference (devices.json).
import { Bounds } from '../types';
import data from './devices.json';

export interface DeviceProfile {
  id: string;
  name: string;
  /** Accelerator power while generating: GPU board, or SoC/CPU package. */
  powerW: Bounds;
  /** Peak memory bandwidth of the memory holding the weights (VRAM or unified memory). */
  memoryBandwidthGBs: number;
  /** Rest of the machine (CPU, RAM, board, PSU losses) where `powerW` does not include it. */
  hostPowerW?: Bounds;
  /** Memory available for weights (VRAM, or unified/system memory). Weights beyond it run from host memory. */
  memoryGB?: number;
  /** Bandwidth of host memory for weights that do not fit in `memoryGB` (CPU offload). */
  hostBandwidthGBs?: number;
  /** Achieved share of peak bandwidth during token generation. */
  decodeEfficiency: Bounds;
  /** Effective TFLOPS during prompt processing. */
  prefillTflops: Bounds;
  /** Source per field. */
  sources?: Record<string, string>;
}

interface DeviceData {
  version: string;
  sources: Record<string, string>;
  profiles: DeviceProfile[];
}

const DEVICES = data as unknown as DeviceData;

export const DEVICE_DATA_VERSION = DEVICES.version;
export const DEVICE_SOURCES: Readonly<Record<string, string>> = DEVICES.sources;

/** Copies: callers may edit a profile (e.g. custom watts) without touching the built-in data. */
export function listDeviceProfiles(): DeviceProfile[] {
  return DEVICES.profiles.map(copyProfile);
}

export function deviceProfile(id: string): DeviceProfile | undefined {
  const p = DEVICES.profiles.find((d) => d.id === id);
  return p ? copyProfile(p) : undefined;
}

function copyProfile(p: DeviceProfile): DeviceProfile {
  return JSON.parse(JSON.stringify(p)) as DeviceProfile;
}
