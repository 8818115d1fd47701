// Turns the user's energy/money settings into the estimator's typed settings.
import { EnergyConfig } from './config';
import { defaultEstimateSettings, DeviceProfile, EstimateSettings, listDeviceProfiles } from './estimate';

/** The device profile for a setting value; `auto` guesses from the platform (Apple silicon, else generic). */
export function resolveDevice(id: string, platform: NodeJS.Platform, arch: string): DeviceProfile {
  const profiles = listDeviceProfiles();
  const fallback = defaultEstimateSettings().device;
  if (id && id !== 'auto') return profiles.find((p) => p.id === id) ?? fallback;
  if (platform === 'darwin' && arch === 'arm64') return profiles.find((p) => p.id.startsWith('apple')) ?? fallback;
  return fallback;
}

export function toEstimateSettings(energy: EnergyConfig, platform: NodeJS.Platform, arch: string, measuredPowerW?: number): EstimateSettings {
  const base = resolveDevice(energy.device, platform, arch);
  const device: DeviceProfile = energy.devicePowerW ? { ...base, id: `${base.id}+custom`, name: `${base.name} (custom watts)`, powerW: energy.devicePowerW } : base;
  const settings: EstimateSettings = {
    ...defaultEstimateSettings(),
    device,
    electricityUsdPerKwh: energy.electricityUsdPerKwh,
    gridGPerKwh: energy.gridGPerKwh,
    includeEmbodied: energy.includeEmbodied,
  };
  if (energy.cloudGridGPerKwh !== undefined) settings.cloudGridGPerKwh = energy.cloudGridGPerKwh;
  if (energy.hardwarePriceUsd > 0) settings.hardware = { priceUsd: energy.hardwarePriceUsd, lifetimeHours: energy.hardwareLifetimeHours };
  else delete settings.hardware;
  if (measuredPowerW !== undefined && energy.device === 'auto' && !energy.devicePowerW) settings.measuredPowerW = measuredPowerW;
  return settings;
}
